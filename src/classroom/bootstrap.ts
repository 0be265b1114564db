// What a fresh cluster holds before anyone touches it, as on a kubeadm cluster: the system
// namespaces and the `kubernetes` Service in default.
import type { Registry } from "../control-plane/api-server/registry/store";
import { NAMESPACES, SERVICES } from "../control-plane/api-server/resources";

const SYSTEM = { username: "system:apiserver", groups: ["system:masters"] };

export function bootstrapCluster(registry: Registry, now: Date): void {
  const ctx = { user: SYSTEM, now, fieldManager: "kube-apiserver" };
  const namespaces = NAMESPACES;
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    registry.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, ctx);
  }
  const services = SERVICES;
  registry.create(services, "default", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], sessionAffinity: "None" },
  }, ctx);
}

// Two small per-namespace controllers of kube-controller-manager, keyed by namespace name: the
// serviceaccount controller (pkg/controller/serviceaccount/serviceaccounts_controller.go) keeps a
// ServiceAccount "default" in every active namespace, and the root-ca-cert-publisher
// (pkg/controller/certificates/rootcacertpublisher/publisher.go) keeps the ConfigMap
// "kube-root-ca.crt" (the cluster CA, which pods use to verify the API server) in every namespace.
// Both put back what a user deletes.
import type { Registry, WriteCtx } from "../api-server/registry/store";
import { registryPrefix, type ResourceType, CONFIG_MAPS, NAMESPACES, SERVICE_ACCOUNTS } from "../api-server/resources";
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";
import type { Namespace } from "../api-server/objects/core";
import type { Controller, ReconcileCtx } from "./manager";

export const DEFAULT_SERVICE_ACCOUNT = "default";
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
export const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** A fixed, self-signed test CA (CN=kubernetes, P-256): the simulation has no real TLS between pods and the API server. */
export const CLUSTER_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUZUEjS3CaJvO8oQYFHthZjkDFpMowCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjEyMzI5NTdaFw0zNjExMTgy
MzI5NTdaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATKfEgjgrKEBBkx08UVkc4unKn1xZY1nP4USbl9iFxDmjhpACa5YGEj
Ozz6Nh302Gs8zDnKiNb2ZoXz1L8xkEg/o2MwYTAdBgNVHQ4EFgQU81xsqxIt1iR8
i8B734WjGFrs82IwHwYDVR0jBBgwFoAU81xsqxIt1iR8i8B734WjGFrs82IwDwYD
VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwCgYIKoZIzj0EAwIDSAAwRQIg
c7lKdKMjZNxDZseikZP7ooHkBhBLetk8xrDoxM0oHSYCIQDy3h62QeBr6FF+uGFc
o+QaAOEKqcewUDOsl93TzjmpaQ==
-----END CERTIFICATE-----
`;

/** A namespace new content may go into: not being deleted. */
function activeNamespace(reg: Registry, name: string): Namespace | undefined {
  const ns = reg.tryGet(NAMESPACES, undefined, name);
  return ns && !ns.metadata.deletionTimestamp && ns.status?.phase !== "Terminating" ? ns : undefined;
}

/** Creates, tolerating a racing creator (409) or a namespace that went away (404, 403 terminating). */
function createIfAbsent<T extends KubeObject>(reg: Registry, r: ResourceType<T>, ns: string, obj: T, write: WriteCtx): void {
  try {
    reg.create(r, ns, obj, write);
  } catch (e) {
    if (!(e instanceof ApiError && [403, 404, 409].includes(e.status.code))) throw e;
  }
}

const byNamespace = (o: KubeObject, name: string) => (o.metadata.name === name && o.metadata.namespace ? [o.metadata.namespace] : []);
const allNamespaces = (reg: Registry) => reg.list(NAMESPACES, undefined).items.filter((n) => !n.metadata.deletionTimestamp).map((n) => n.metadata.name!);

export function serviceAccountController(_reg: Registry): Controller {
  return {
    name: "serviceaccount",
    watches: [
      { prefix: registryPrefix(NAMESPACES), keys: (ns) => (ns.metadata.deletionTimestamp ? [] : [ns.metadata.name!]) },
      { prefix: registryPrefix(SERVICE_ACCOUNTS), keys: (sa) => byNamespace(sa, DEFAULT_SERVICE_ACCOUNT) },
    ],
    resync: allNamespaces,
    reconcile: syncServiceAccounts,
  };
}

/** syncNamespace: the default ServiceAccount, created when missing. */
function syncServiceAccounts(ns: string, { reg, write }: ReconcileCtx): void {
  if (!activeNamespace(reg, ns)) return;
  if (reg.tryGet(SERVICE_ACCOUNTS, ns, DEFAULT_SERVICE_ACCOUNT)) return;
  createIfAbsent(reg, SERVICE_ACCOUNTS, ns, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: ns } }, write);
}

export function rootCACertPublisher(_reg: Registry, caPem: string = CLUSTER_CA_PEM): Controller {
  return {
    name: "root-ca-cert-publisher",
    watches: [
      { prefix: registryPrefix(NAMESPACES), keys: (ns) => (ns.metadata.deletionTimestamp ? [] : [ns.metadata.name!]) },
      { prefix: registryPrefix(CONFIG_MAPS), keys: (cm) => byNamespace(cm, ROOT_CA_CONFIGMAP) },
    ],
    resync: allNamespaces,
    reconcile: (ns, ctx) => syncRootCA(caPem, ns, ctx),
  };
}

/** The publisher's syncNamespace: the CA ConfigMap, created or put back as it should be. */
function syncRootCA(caPem: string, ns: string, { reg, write }: ReconcileCtx): void {
  if (!activeNamespace(reg, ns)) return;
  const cm = reg.tryGet(CONFIG_MAPS, ns, ROOT_CA_CONFIGMAP);
  if (!cm) {
    createIfAbsent(reg, CONFIG_MAPS, ns, {
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations: { "kubernetes.io/description": ROOT_CA_DESCRIPTION } },
      data: { "ca.crt": caPem },
    }, write);
    return;
  }
  // Someone edited it: put the CA back (other keys are dropped, as upstream's publisher does).
  if (cm.data?.["ca.crt"] === caPem && Object.keys(cm.data).length === 1 && cm.metadata.annotations?.["kubernetes.io/description"] === ROOT_CA_DESCRIPTION) return;
  reg.update(CONFIG_MAPS, ns, ROOT_CA_CONFIGMAP, {
    ...cm,
    metadata: { ...cm.metadata, annotations: { ...(cm.metadata.annotations ?? {}), "kubernetes.io/description": ROOT_CA_DESCRIPTION } },
    data: { "ca.crt": caPem },
  }, write);
}

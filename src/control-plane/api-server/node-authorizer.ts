// What a kubelet may do, as kube-apiserver's Node authorizer and the system:node role allow:
// read pods, services and endpoints; write its own Node, Lease and the status of pods; record Events.
import type { Attributes, Authorizer, Decision } from "./auth";

const NODE_PREFIX = "system:node:";
const READ = new Set(["get", "list", "watch"]);

export const nodeAuthorizer: Authorizer = {
  authorize(a: Attributes): Decision {
    if (!a.user.groups.includes("system:nodes") || !a.user.username.startsWith(NODE_PREFIX)) return { allowed: false };
    const node = a.user.username.slice(NODE_PREFIX.length);
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    if (!a.isResourceRequest) return { allowed: a.verb === "get" };
    if (a.group === "") {
      switch (res) {
        case "pods": return { allowed: READ.has(a.verb) || a.verb === "delete" };
        case "pods/status": return { allowed: ["get", "update", "patch"].includes(a.verb) };
        case "pods/eviction": return { allowed: a.verb === "create" };
        case "nodes": return { allowed: READ.has(a.verb) || (["create", "update", "patch"].includes(a.verb) && (!a.name || a.name === node)) };
        case "nodes/status": return { allowed: ["update", "patch"].includes(a.verb) && a.name === node };
        case "events": return { allowed: ["create", "update", "patch"].includes(a.verb) };
        case "services":
        case "endpoints":
        case "configmaps":
        case "secrets":
        case "persistentvolumeclaims":
          return { allowed: READ.has(a.verb) };
      }
    }
    if (a.group === "coordination.k8s.io" && res === "leases" && a.namespace === "kube-node-lease")
      return { allowed: READ.has(a.verb) || (["create", "update", "patch", "delete"].includes(a.verb) && (!a.name || a.name === node)) };
    if (a.group === "events.k8s.io" && res === "events") return { allowed: ["create", "update", "patch"].includes(a.verb) };
    if (a.group === "discovery.k8s.io" && res === "endpointslices") return { allowed: READ.has(a.verb) };
    if (a.group === "authorization.k8s.io") return { allowed: a.verb === "create" };
    return { allowed: false };
  },
};

/** The first authorizer that allows wins, as kube-apiserver chains Node, RBAC and the rest. */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  return {
    authorize(a) {
      let reason: string | undefined;
      for (const z of authorizers) {
        const d = z.authorize(a);
        if (d.allowed) return d;
        reason ??= d.reason || undefined;
      }
      return { allowed: false, reason };
    },
  };
}

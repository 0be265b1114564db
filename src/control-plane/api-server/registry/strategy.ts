// Per-kind rules the generic store applies, as kube-apiserver's registry strategies do:
// which parts a write may change (spec vs status), generation, and create-time preparation.
import type { Container } from "../objects/core";
import { parseQuantity } from "../quantity";
import type { ResourceType } from "../resources";
import type { KubeObject } from "../types";

export interface Strategy {
  /** Has a status subresource: main-resource writes keep the old status, status writes keep the rest. */
  hasStatus: boolean;
  /** metadata.generation starts at 1 and is bumped when anything but metadata and status changes. */
  hasGeneration: boolean;
  /** PUT may create the object when it does not exist. */
  allowCreateOnUpdate: boolean;
  prepareForCreate(obj: KubeObject): void;
}

const GENERATION_KINDS = new Set(["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob", "HorizontalPodAutoscaler", "PriorityClass"]);
const CREATE_ON_UPDATE = new Set(["Endpoints", "Event", "Lease", "EndpointSlice", "Node"]);

export function strategyFor(r: ResourceType): Strategy {
  const hasStatus = !!r.subresources?.some((s) => s.name === "status");
  return {
    hasStatus,
    hasGeneration: GENERATION_KINDS.has(r.kind),
    allowCreateOnUpdate: CREATE_ON_UPDATE.has(r.kind),
    prepareForCreate(obj) {
      if (r.kind === "Pod") {
        obj.status = { phase: "Pending", qosClass: qosClass(obj) };
      } else if (r.kind === "Namespace") {
        obj.status = { phase: "Active" };
      } else if (hasStatus && r.kind !== "Node") {
        // Status is the controllers' to write; what a client sends on create is dropped.
        obj.status = r.kind === "Service" ? { loadBalancer: {} } : {};
      }
    },
  };
}

/** Pod QoS class from requests and limits (pkg/apis/core/helper/qos). */
export function qosClass(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const res of ["cpu", "memory"]) {
      const q = req[res] ?? lim[res];
      if (q !== undefined && (parseQuantity(q)?.value ?? 0) > 0) any = true;
      const l = lim[res];
      if (l === undefined) { guaranteed = false; continue; }
      const rq = req[res] ?? l;
      if (parseQuantity(rq)?.millis !== parseQuantity(l)?.millis) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Everything but metadata and status: what generation tracks. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** Quiet fix-ups the real registry makes before validating (a negative grace period means 1 s). */
export function normalize(obj: KubeObject): void {
  const specs = [obj.kind === "Pod" ? obj.spec : undefined, obj.spec?.template?.spec, obj.spec?.jobTemplate?.spec?.template?.spec];
  for (const spec of specs) {
    if (spec && typeof spec.terminationGracePeriodSeconds === "number" && spec.terminationGracePeriodSeconds < 0) spec.terminationGracePeriodSeconds = 1;
  }
}

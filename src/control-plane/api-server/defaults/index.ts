// API defaulting: fills in the fields a real kube-apiserver v1.32 sets on every object it stores, so that
// `kubectl get -o yaml` after applying a manifest from the docs shows what it shows on a real cluster.
// Chosen by apiVersion + kind; unknown kinds are left untouched. Every defaulter only fills unset fields
// (or rewrites a field to a value derived from others), so applying twice equals applying once.
import type { KubeObject } from "../types";
import { defaultHPAv1, defaultHPAv2, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultPriorityClass, defaultResourceQuota, defaultSecret } from "./misc";
import { defaultPod } from "./pod";
import { defaultEndpointSlice, defaultEndpoints, defaultService } from "./service";
import type { Obj } from "./util";
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from "./workloads";

export { defaultPullPolicy } from "./pod";

const DEFAULTERS: Record<string, (obj: Obj) => void> = {
  "v1/Pod": defaultPod,
  "v1/Service": defaultService,
  "v1/Endpoints": defaultEndpoints,
  "v1/Namespace": defaultNamespace,
  "v1/Secret": defaultSecret,
  "v1/Node": defaultNode,
  "v1/PersistentVolumeClaim": defaultPersistentVolumeClaim,
  "v1/PersistentVolume": defaultPersistentVolume,
  "v1/ResourceQuota": defaultResourceQuota,
  // ConfigMap, ServiceAccount, Event: no defaults. (SetDefaults_ConfigMap makes data an empty
  // map, which serializes as nothing.)
  "apps/v1/Deployment": defaultDeployment,
  "apps/v1/ReplicaSet": defaultReplicaSet,
  "apps/v1/DaemonSet": defaultDaemonSet,
  "apps/v1/StatefulSet": defaultStatefulSet,
  "batch/v1/Job": defaultJob,
  "batch/v1/CronJob": defaultCronJob,
  "autoscaling/v2/HorizontalPodAutoscaler": defaultHPAv2,
  "autoscaling/v1/HorizontalPodAutoscaler": defaultHPAv1,
  "scheduling.k8s.io/v1/PriorityClass": defaultPriorityClass,
  "discovery.k8s.io/v1/EndpointSlice": defaultEndpointSlice,
  // coordination.k8s.io/v1 Lease and events.k8s.io/v1 Event: no defaults.
};

/** Applies API defaults to obj in place. */
export function applyDefaults(obj: KubeObject): void {
  if (typeof obj !== "object" || obj === null) return;
  const fn = DEFAULTERS[`${obj.apiVersion}/${obj.kind}`];
  if (fn) fn(obj);
}

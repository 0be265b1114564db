// Validation of stored objects with the field paths and messages of the v1.32 API server, so that
// `kubectl create -f bad.yaml` prints the real "is invalid" error. Objects arrive already defaulted.
import type { KubeObject, StatusCause } from "../types";
import { validateCronJob, validateJob, validateJobUpdate } from "./batch";
import { isObj, required, type Obj } from "./helpers";
import { KINDS, validateObjectMeta } from "./metadata";
import {
  validateConfigMap, validateEndpointSlice, validateEndpoints, validateEvent, validateHPA, validateImmutableData, validateLease,
  validateNamespace, validateNode, validatePriorityClass, validatePriorityClassUpdate, validateResourceQuota, validateSecret,
} from "./misc";
import { validatePodSpec, validatePodTemplateSpec } from "./pod";
import { validatePodUpdate } from "./pod-update";
import { validateService, validateServiceUpdate } from "./service";
import {
  selectorImmutable, validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet, validateStatefulSetUpdate,
} from "./workloads";

/** Kind-specific checks on top of ObjectMeta. */
function validateKind(obj: Obj, old?: Obj): StatusCause[] {
  switch (obj.kind) {
    case "Pod": return validatePodSpec(obj.spec, "spec");
    case "PodTemplate": return validatePodTemplateSpec(obj.template, "template");
    case "Deployment": return validateDeployment(obj);
    case "ReplicaSet": return validateReplicaSet(obj);
    case "DaemonSet": return validateDaemonSet(obj);
    case "StatefulSet": return validateStatefulSet(obj);
    case "Job": return validateJob(obj);
    case "CronJob": return validateCronJob(obj, old);
    case "Service": return validateService(obj);
    case "ConfigMap": return validateConfigMap(obj);
    case "Secret": return validateSecret(obj);
    case "Namespace": return validateNamespace(obj);
    case "Node": return validateNode(obj);
    case "Endpoints": return validateEndpoints(obj);
    case "EndpointSlice": return validateEndpointSlice(obj);
    case "ResourceQuota": return validateResourceQuota(obj);
    case "Lease": return validateLease(obj);
    case "PriorityClass": return validatePriorityClass(obj);
    case "HorizontalPodAutoscaler": return validateHPA(obj);
    case "ReplicationController": {
      const spec: Obj = isObj(obj.spec) ? obj.spec : {};
      return isObj(spec.selector) && Object.keys(spec.selector).length ? validatePodTemplateSpec(spec.template, "spec.template") : [required("spec.selector")];
    }
    default: return [];
  }
}

export function validateCreate(obj: KubeObject): StatusCause[] {
  const info = KINDS[obj.kind];
  if (obj.kind === "Event") {
    // core/v1 Events only get the legacy checks (no ObjectMeta validation), events.k8s.io/v1 the strict ones.
    const strict = obj.apiVersion.startsWith("events.k8s.io/");
    return [...(strict ? validateObjectMeta(obj.metadata, info) : []), ...validateEvent(obj, strict)];
  }
  if (!info) return []; // custom resources and kinds we do not model
  return [...validateObjectMeta(obj.metadata, info), ...validateKind(obj)];
}

export function validateUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const info = KINDS[obj.kind];
  if (obj.kind === "Event") return validateCreate(obj);
  if (!info) return [];
  const out = [...validateObjectMeta(obj.metadata, info), ...validateKind(obj, old)];
  switch (obj.kind) {
    case "Pod": out.push(...validatePodUpdate(obj, old)); break;
    case "Deployment": case "ReplicaSet": case "DaemonSet": out.push(...selectorImmutable(obj, old)); break;
    case "StatefulSet": out.push(...validateStatefulSetUpdate(obj, old)); break;
    case "Job": out.push(...validateJobUpdate(obj, old)); break;
    case "Service": out.push(...validateServiceUpdate(obj, old)); break;
    case "ConfigMap": out.push(...validateImmutableData(obj, old, ["data", "binaryData"])); break;
    case "Secret": out.push(...validateImmutableData(obj, old, ["data"])); break;
    case "PriorityClass": out.push(...validatePriorityClassUpdate(obj, old)); break;
  }
  return out;
}

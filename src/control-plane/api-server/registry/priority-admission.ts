// The Priority admission plugin: a new pod's priorityClassName is resolved to spec.priority and
// spec.preemptionPolicy from its PriorityClass (or the globalDefault one), which the scheduler's
// queue order and preemption rely on. An unknown class is refused, as on a real cluster.
// The two system classes are kept to kube-system (priorityClassPermittedInNamespace of
// plugin/pkg/admission/priority/admission.go, v1.11-v1.16): a student's pod at
// system-node-critical would preempt everyone else's. The rule binds every user, the instructor
// (system:masters) included, because admission does not look at who is asking.
import type { PodSpec } from "../objects/core";
import { PRIORITY_CLASSES } from "../resources";
import { errors } from "../status";
import type { KubeObject } from "../types";
import type { AdmissionHook } from "./store";
import { admissionName } from "./names";

/** The two classes every cluster has, even before anyone creates one. */
const SYSTEM_CLASSES: Record<string, number> = { "system-cluster-critical": 2000000000, "system-node-critical": 2000001000 };

function podSpecs(obj: KubeObject): PodSpec[] {
  return obj.kind === "Pod" ? [obj.spec] : [];
}

export const resolvePodPriority: AdmissionHook = (op, r, obj, _old, _ctx, reg) => {
  if (op !== "CREATE" || r.kind !== "Pod") return;
  const classes = PRIORITY_CLASSES;
  for (const spec of podSpecs(obj)) {
    const name: string | undefined = spec.priorityClassName;
    let value = 0;
    let policy: PodSpec["preemptionPolicy"] = "PreemptLowerPriority";
    if (name) {
      if (SYSTEM_CLASSES[name] !== undefined && obj.metadata.namespace !== "kube-system")
        throw errors.forbidden(`pods "${admissionName(obj)}" is forbidden: pods with ${name} priorityClass is not permitted in ${obj.metadata.namespace} namespace`, r, admissionName(obj));
      if (SYSTEM_CLASSES[name] !== undefined) value = SYSTEM_CLASSES[name];
      else {
        const pc = reg.tryGet(classes, undefined, name);
        if (!pc) throw errors.forbidden(`pods "${admissionName(obj)}" is forbidden: no PriorityClass with name ${name} was found`, r, admissionName(obj));
        value = pc.value ?? 0;
        policy = pc.preemptionPolicy ?? policy;
      }
    } else {
      const global = reg.list(classes, undefined).items.find((pc) => pc.globalDefault === true);
      if (global) {
        spec.priorityClassName = global.metadata.name;
        value = global.value ?? 0;
        policy = global.preemptionPolicy ?? policy;
      }
    }
    if (spec.priority !== undefined && spec.priority !== value && name)
      throw errors.forbidden(`pods "${obj.metadata.name}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`, r, admissionName(obj));
    spec.priority = value;
    spec.preemptionPolicy = policy;
  }
};

// Which Services a pod change concerns: those in its namespace whose selector matches its labels
// now or before (the pod may have left a Service). Shared by the Endpoints and EndpointSlice controllers.
import type { Registry } from "../api-server/registry/store";
import { findResource } from "../api-server/resources";
import { labelSelectorFromObject } from "../api-server/selectors";
import type { KubeObject } from "../api-server/types";

export const servicesR = () => findResource("", "v1", "services")!;
export const podsR = () => findResource("", "v1", "pods")!;

export function serviceKeysForPod(reg: Registry, pod: KubeObject, prev?: KubeObject): string[] {
  const ns = pod.metadata.namespace!;
  const keys: string[] = [];
  for (const svc of reg.list(servicesR(), ns).items) {
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const sel = labelSelectorFromObject({ matchLabels: svc.spec.selector });
    if (sel.matches(pod.metadata.labels) || (prev && sel.matches(prev.metadata.labels))) keys.push(`${ns}/${svc.metadata.name}`);
  }
  return keys;
}

export function allServiceKeys(reg: Registry): string[] {
  return reg.list(servicesR(), undefined).items.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
}

export { splitKey } from "./keys";

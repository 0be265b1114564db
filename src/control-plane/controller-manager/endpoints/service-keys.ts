// Which Services a pod change concerns: those in its namespace whose selector matches its labels
// now or before (the pod may have left a Service). Shared by the Endpoints and EndpointSlice
// controllers. As upstream's ServiceSelectorCache (pkg/controller/util/endpoint), the Services come
// from the informer's store and each one's selector is parsed once (per version of the Service).
import type { Registry } from "../../api-server/registry/store";
import { SERVICES } from "../../api-server/resources";
import { labelSelectorFromObject, type LabelSelector } from "../../api-server/selectors";
import type { Pod, Service } from "../../api-server/objects/core";
import type { Lister } from "../informers";
import { keyOf } from "../controller-utils";

/** Parsed selectors by Service object: an entry lives as long as the store holds that version. */
const selectors = new WeakMap<Service, LabelSelector | null>();

/** The Service's selector, parsed once; null when it selects nothing (none, empty, or invalid). */
export function serviceSelector(svc: Service): LabelSelector | null {
  let sel = selectors.get(svc);
  if (sel === undefined) {
    const raw = svc.spec?.selector;
    try {
      sel = raw && typeof raw === "object" && Object.keys(raw).length > 0 ? labelSelectorFromObject({ matchLabels: raw }) : null;
    } catch {
      sel = null;
    }
    selectors.set(svc, sel);
  }
  return sel;
}

/** GetPodServiceMemberships, for the pod now and before. */
export function serviceKeysForPod(services: Lister, pod: Pod, prev?: Pod): string[] {
  const ns = pod.metadata.namespace!;
  const keys: string[] = [];
  for (const svc of services.list(SERVICES, ns)) {
    const sel = serviceSelector(svc);
    if (!sel) continue;
    if (sel.matches(pod.metadata.labels) || (prev && sel.matches(prev.metadata.labels))) keys.push(keyOf(svc));
  }
  return keys;
}

export function allServiceKeys(reg: Registry): string[] {
  return reg.list(SERVICES, undefined).items.map(keyOf);
}

// The EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go, v1.32): for
// each Service with a selector, keeps EndpointSlices listing the addresses of its pods (ready,
// serving, terminating), which every node's kube-proxy reads. What they should be is endpointslice.ts's.
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from "../../api-server/resources";
import { listerOf, watchOf, type Controller, type ReconcileCtx } from "../manager";
import { CONTROLLER_NAME, desiredEndpointSlices, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./endpointslice";
import { keyOf, splitKey, tolerate } from "../controller-utils";
import { allServiceKeys, serviceKeysForPod } from "./service-keys";

/**
 * As upstream's EndpointSliceTracker, the controller's own slice writes do not bring the Service
 * back to its queue (a no-op sync over every pod per write). Events reach the informers at
 * commit, so the slice events that arrive while it writes are its own.
 */
export interface EndpointSliceControllerState { writing: boolean }

export function endpointSliceController(_reg: Parameters<Controller["resync"]>[0]): Controller {
  const state: EndpointSliceControllerState = { writing: false };
  return {
    name: "endpointslice",
    watches: [
      { prefix: "/registry/services/", keys: (svc) => [keyOf(svc)] },
      watchOf(PODS, (pod, prev, ev) => serviceKeysForPod(ev.cache, pod, prev)),
      { prefix: "/registry/discovery.k8s.io/endpointslices/", keys: (s) => (!state.writing && s.metadata.labels?.[LABEL_SERVICE_NAME] ? [`${s.metadata.namespace}/${s.metadata.labels[LABEL_SERVICE_NAME]}`] : []) },
    ],
    resync: allServiceKeys,
    reconcile: (key, ctx) => syncService(state, key, ctx),
  };
}

/** Runs the controller's own slice writes. */
function own(state: EndpointSliceControllerState, fn: () => void): void {
  state.writing = true;
  try {
    fn();
  } finally {
    state.writing = false;
  }
}

function syncService(state: EndpointSliceControllerState, key: string, ctx: ReconcileCtx): void {
  const { reg, write } = ctx;
  const cache = listerOf(ctx);
  const [ns, name] = splitKey(key);
  const owned = cache.list(ENDPOINT_SLICES, ns).filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME);
  const svc = cache.get(SERVICES, ns, name);
  if (!svc) {
    // The garbage collector would remove them through ownerReferences; with no GC yet, do it here.
    own(state, () => { for (const s of owned) tolerate(() => reg.delete(ENDPOINT_SLICES, ns, s.metadata.name!, write)); });
    return;
  }
  const plan = desiredEndpointSlices(svc, cache.list(PODS, ns), owned, cache.list(NODES, undefined));
  own(state, () => {
    for (const s of plan.create) reg.create(ENDPOINT_SLICES, ns, s, write);
    for (const s of plan.update) reg.update(ENDPOINT_SLICES, ns, s.metadata.name!, s, write);
    for (const s of plan.delete) tolerate(() => reg.delete(ENDPOINT_SLICES, ns, s.metadata.name!, write));
  });
}

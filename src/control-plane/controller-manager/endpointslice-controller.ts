// The EndpointSlice controller: for each Service with a selector, keeps EndpointSlices listing
// the addresses of its pods (ready, serving, terminating), which every node's kube-proxy reads.
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from "../api-server/resources";
import { listerOf, type Controller } from "./manager";
import { desiredEndpointSlices, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./endpointslice";
import { splitKey, tolerate } from "./controller-utils";
import { allServiceKeys, serviceKeysForPod } from "./service-keys";

export function endpointSliceController(_reg: Parameters<Controller["resync"]>[0]): Controller {
  // As upstream's EndpointSliceTracker, the controller's own slice writes do not bring the Service
  // back to its queue (a no-op sync over every pod per write). Events reach the informers at
  // commit, so the slice events that arrive while it writes are its own.
  let writing = false;
  const own = (fn: () => void) => {
    writing = true;
    try {
      fn();
    } finally {
      writing = false;
    }
  };
  return {
    name: "endpointslice",
    watches: [
      { prefix: "/registry/services/", keys: (svc) => [`${svc.metadata.namespace}/${svc.metadata.name}`] },
      { prefix: "/registry/pods/", keys: (pod, prev, ev) => serviceKeysForPod(ev.cache, pod, prev) },
      { prefix: "/registry/discovery.k8s.io/endpointslices/", keys: (s) => (!writing && s.metadata.labels?.[LABEL_SERVICE_NAME] ? [`${s.metadata.namespace}/${s.metadata.labels[LABEL_SERVICE_NAME]}`] : []) },
    ],
    resync: allServiceKeys,
    reconcile(key, ctx) {
      const { reg, write } = ctx;
      const cache = listerOf(ctx);
      const [ns, name] = splitKey(key);
      const owned = cache.list(ENDPOINT_SLICES, ns).filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === "endpointslice-controller.k8s.io");
      const svc = cache.get(SERVICES, ns, name);
      if (!svc) {
        // The garbage collector would remove them through ownerReferences; with no GC yet, do it here.
        own(() => { for (const s of owned) tolerate(() => reg.delete(ENDPOINT_SLICES, ns, s.metadata.name!, write)); });
        return;
      }
      const plan = desiredEndpointSlices(svc, cache.list(PODS, ns), owned, cache.list(NODES, undefined));
      own(() => {
        for (const s of plan.create) reg.create(ENDPOINT_SLICES, ns, s, write);
        for (const s of plan.update) reg.update(ENDPOINT_SLICES, ns, s.metadata.name!, s, write);
        for (const s of plan.delete) tolerate(() => reg.delete(ENDPOINT_SLICES, ns, s.metadata.name!, write));
      });
    },
  };
}

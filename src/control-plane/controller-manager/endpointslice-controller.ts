// The EndpointSlice controller: for each Service with a selector, keeps EndpointSlices listing
// the addresses of its pods (ready, serving, terminating), which every node's kube-proxy reads.
import { findResource } from "../api-server/resources";
import { listerOf, type Controller } from "./manager";
import { desiredEndpointSlices, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./endpointslice";
import { tolerate } from "./controller-utils";
import { allServiceKeys, podsR, serviceKeysForPod, servicesR, splitKey } from "./service-keys";

const slicesR = () => findResource("discovery.k8s.io", "v1", "endpointslices")!;
const nodesR = () => findResource("", "v1", "nodes")!;

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
      const owned = cache.list(slicesR(), ns).filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === "endpointslice-controller.k8s.io");
      const svc = cache.get(servicesR(), ns, name);
      if (!svc) {
        // The garbage collector would remove them through ownerReferences; with no GC yet, do it here.
        own(() => { for (const s of owned) tolerate(() => reg.delete(slicesR(), ns, s.metadata.name!, write)); });
        return;
      }
      const plan = desiredEndpointSlices(svc, cache.list(podsR(), ns), owned, cache.list(nodesR(), undefined));
      own(() => {
        for (const s of plan.create) reg.create(slicesR(), ns, s, write);
        for (const s of plan.update) reg.update(slicesR(), ns, s.metadata.name!, s, write);
        for (const s of plan.delete) tolerate(() => reg.delete(slicesR(), ns, s.metadata.name!, write));
      });
    },
  };
}

// The Endpoints controller (pkg/controller/endpoint/endpoints_controller.go, v1.32): the older,
// single-object form of a Service's addresses (core/v1 Endpoints named like the Service), still
// read by many tools. What it should hold is endpoints.ts's.
import { ENDPOINTS, PODS, SERVICES } from "../../api-server/resources";
import { listerOf, watchOf, type Controller, type ReconcileCtx } from "../manager";
import { desiredEndpoints, endpointsNeedUpdate } from "./endpoints";
import { allServiceKeys, serviceKeysForPod } from "./service-keys";
import { keyOf, splitKey } from "../controller-utils";

/** Endpoints this controller made carry no such label; ones a user wrote for a selector-less Service are left alone. */
const MANAGED = "endpoints.kubernetes.io/managed-by";

export function endpointsController(_reg: Parameters<Controller["resync"]>[0]): Controller {
  return {
    name: "endpoints",
    watches: [
      { prefix: "/registry/services/", keys: (svc) => [keyOf(svc)] },
      watchOf(PODS, (pod, prev, ev) => serviceKeysForPod(ev.cache, pod, prev)),
    ],
    resync: allServiceKeys,
    reconcile: syncService,
  };
}

function syncService(key: string, ctx: ReconcileCtx): void {
  const { reg, write } = ctx;
  const cache = listerOf(ctx);
  const [ns, name] = splitKey(key);
  const svc = cache.get(SERVICES, ns, name);
  const current = cache.get(ENDPOINTS, ns, name);
  const desired = svc ? desiredEndpoints(svc, cache.list(PODS, ns)) : null;
  if (!desired) {
    if (current && (!svc || current.metadata.labels?.[MANAGED] === "endpoint-controller")) reg.delete(ENDPOINTS, ns, name, write);
    return;
  }
  desired.metadata.labels = { ...(desired.metadata.labels ?? {}), [MANAGED]: "endpoint-controller" };
  if (!current) reg.create(ENDPOINTS, ns, desired, write);
  else if (endpointsNeedUpdate(current, desired)) reg.update(ENDPOINTS, ns, name, { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion } }, write);
}

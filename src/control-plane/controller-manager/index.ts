// kube-controller-manager's default controllers, in the order they are registered (after
// cmd/kube-controller-manager/app/controllermanager.go NewControllerDescriptors). One controller,
// one file, or one folder when it has several (deployment/, job/, cronjob/, endpoints/, hpa/,
// garbagecollector/); the helpers they share are controller-utils.ts; the manager (manager.ts)
// runs them over shared informers.
import type { Registry } from "../api-server/registry/store";
import type { Controller } from "./manager";
import { cronJobController } from "./cronjob/cronjob-controller";
import { daemonSetController } from "./daemonset-controller";
import { deploymentController } from "./deployment/deployment-controller";
import { endpointsController } from "./endpoints/endpoints-controller";
import { endpointSliceController } from "./endpoints/endpointslice-controller";
import { garbageCollector } from "./garbagecollector/garbage-collector";
import { hpaController, type PodUsage } from "./hpa/hpa-controller";
import { jobController } from "./job/job-controller";
import { namespaceController } from "./namespace-controller";
import { nodeLifecycleController } from "./node-lifecycle-controller";
import { replicaSetController } from "./replicaset-controller";
import { resourceQuotaController } from "./resourcequota-controller";
import { rootCACertPublisher, serviceAccountController } from "./serviceaccount-controller";
import { statefulSetController } from "./statefulset-controller";

export { ControllerManager, type Controller } from "./manager";

/** What the controllers need from outside the API: pods' cpu and memory use (metrics-server), for the HPA. */
export interface ControllerDeps {
  podUsage: () => PodUsage;
}

export function defaultControllers(reg: Registry, deps: ControllerDeps): Controller[] {
  return [
    endpointSliceController(reg),
    endpointsController(reg),
    nodeLifecycleController(reg),
    garbageCollector(reg),
    namespaceController(reg),
    serviceAccountController(reg),
    rootCACertPublisher(reg),
    replicaSetController(reg),
    deploymentController(reg),
    jobController(reg),
    cronJobController(reg),
    daemonSetController(reg),
    statefulSetController(reg),
    hpaController(reg, deps.podUsage),
    resourceQuotaController(reg),
  ];
}

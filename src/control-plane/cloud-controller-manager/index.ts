// The cloud-controller-manager: the controllers that talk to the (simulated) kubeclass cloud.
import type { Registry } from "../api-server/registry/store";
import type { Controller } from "../controller-manager/manager";
import { cloudNodeController, cloudNodeLifecycleController } from "./node-controller";
import type { CloudOptions } from "./provider";
import { routeController } from "./route-controller";
import { serviceController } from "./service-controller";

export type { CloudOptions } from "./provider";
export { LB_CLEANUP_FINALIZER, serviceController } from "./service-controller";
export { UNINITIALIZED_TAINT, cloudNodeController, cloudNodeLifecycleController } from "./node-controller";
export { routeController } from "./route-controller";
export { lbProvisioningDelayMs, providerID, PROVIDER_NAME } from "./provider";

export function cloudControllers(reg: Registry, opts: CloudOptions = {}): Controller[] {
  return [serviceController(reg), cloudNodeController(reg, opts), cloudNodeLifecycleController(reg, opts), routeController(reg)];
}

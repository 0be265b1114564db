// The cloud-controller-manager's service controller (k8s.io/cloud-provider/controllers/service,
// v1.32): a Service of type LoadBalancer gets a load balancer from the cloud, its address in
// status.loadBalancer.ingress, and the cleanup finalizer so the load balancer is released before
// the Service goes; changing the type away releases it too. The cloud call takes seconds, so the
// first reconcile starts provisioning and asks to be looked at again when it will be done.
import { recordEvent } from "../api-server/events";
import type { Registry } from "../api-server/registry/store";
import { registryPrefix, SERVICES } from "../api-server/resources";
import type { KubeObject } from "../api-server/types";
import type { Controller, ReconcileCtx } from "../controller-manager/manager";
import { splitKey } from "../controller-manager/controller-utils";
import { allocateLbIP, ccmWrite, LB_NET, lbProvisioningDelayMs } from "./provider";

export const LB_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
const COMPONENT = "service-controller";
const NAME = "service-lb-controller";
const RETRY_MS = 30_000;

const hasFinalizer = (s: KubeObject) => (s.metadata.finalizers ?? []).includes(LB_CLEANUP_FINALIZER);
/** A loadBalancerClass hands the Service to another implementation: not ours to provision. */
const wantsLB = (s: KubeObject) => s.spec?.type === "LoadBalancer" && !s.spec?.loadBalancerClass && !s.metadata.deletionTimestamp;
const ourIngress = (s: KubeObject): string | undefined =>
  (s.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string }) => i.ip).find((ip: unknown) => typeof ip === "string" && ip.startsWith(LB_NET));

export function serviceController(_reg: Registry): Controller {
  // Provisioning in flight, by uid: when the cloud will have it ready. Lost on eviction, after which
  // provisioning simply starts again, as it would after a real controller restart.
  const pending = new Map<string, number>();

  const event = (ctx: ReconcileCtx, svc: KubeObject, reason: string, message: string, type: "Normal" | "Warning" = "Normal") =>
    recordEvent(ctx.reg, { regarding: svc, reason, message, type, component: COMPONENT, now: new Date(ctx.now) });

  function release(ctx: ReconcileCtx, svc: KubeObject): void {
    pending.delete(svc.metadata.uid!);
    if (!hasFinalizer(svc)) return;
    const [ns, name] = [svc.metadata.namespace, svc.metadata.name!];
    if (!svc.metadata.deletionTimestamp && svc.spec?.type !== "LoadBalancer") event(ctx, svc, "Type", `LoadBalancer -> ${svc.spec?.type ?? "ClusterIP"}`);
    event(ctx, svc, "DeletingLoadBalancer", "Deleting load balancer");
    const w = ccmWrite(ctx, NAME);
    if (ourIngress(svc)) ctx.reg.guaranteedUpdate(SERVICES, ns, name, w, (cur) => ({ ...cur, status: { ...cur.status, loadBalancer: {} } }), "status");
    // The last finalizer gone from a deleted Service completes its deletion.
    ctx.reg.guaranteedUpdate(SERVICES, ns, name, w, (cur) => {
      const finalizers = (cur.metadata.finalizers ?? []).filter((f: string) => f !== LB_CLEANUP_FINALIZER);
      cur.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!finalizers.length) delete cur.metadata.finalizers;
      return cur;
    });
    event(ctx, svc, "DeletedLoadBalancer", "Deleted load balancer");
  }

  function ensure(ctx: ReconcileCtx, svc: KubeObject): void | { requeueAfter: number } {
    const uid = svc.metadata.uid!;
    const [ns, name] = [svc.metadata.namespace, svc.metadata.name!];
    if (ourIngress(svc) && hasFinalizer(svc)) return; // provisioned: nothing to do
    const w = ccmWrite(ctx, NAME);
    let readyAt = pending.get(uid);
    if (readyAt === undefined) {
      // The finalizer goes on before the cloud is asked, so a load balancer is never leaked.
      if (!hasFinalizer(svc)) {
        svc = ctx.reg.guaranteedUpdate(SERVICES, ns, name, w, (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [...(cur.metadata.finalizers ?? []), LB_CLEANUP_FINALIZER] } }));
      }
      if (ourIngress(svc)) return;
      event(ctx, svc, "EnsuringLoadBalancer", "Ensuring load balancer");
      readyAt = ctx.now + lbProvisioningDelayMs(uid);
      pending.set(uid, readyAt);
    }
    if (ctx.now < readyAt) return { requeueAfter: readyAt - ctx.now };

    const taken = new Set<string>();
    for (const s of ctx.reg.list(SERVICES, undefined).items) {
      const ip = s.metadata.uid !== uid ? ourIngress(s) : undefined;
      if (ip) taken.add(ip);
    }
    const ip = allocateLbIP(uid, taken, svc.spec?.loadBalancerIP);
    if (!ip) {
      event(ctx, svc, "SyncLoadBalancerFailed", "Error syncing load balancer: failed to ensure load balancer: no free address in 203.0.113.0/24", "Warning");
      pending.set(uid, ctx.now + RETRY_MS);
      return { requeueAfter: RETRY_MS };
    }
    ctx.reg.guaranteedUpdate(SERVICES, ns, name, w, (cur) => ({ ...cur, status: { ...cur.status, loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } }), "status");
    pending.delete(uid);
    event(ctx, svc, "EnsuredLoadBalancer", "Ensured load balancer");
  }

  return {
    name: NAME,
    watches: [{ prefix: registryPrefix(SERVICES), keys: (s) => [`${s.metadata.namespace}/${s.metadata.name}`] }],
    resync: (reg) => reg.list(SERVICES, undefined).items.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    reconcile(key, ctx) {
      const [ns, name] = splitKey(key);
      const svc = ctx.reg.tryGet(SERVICES, ns, name);
      if (!svc) return;
      if (wantsLB(svc)) return ensure(ctx, svc);
      release(ctx, svc);
    },
  };
}

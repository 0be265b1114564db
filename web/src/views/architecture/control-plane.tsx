// The control plane box: kube-apiserver in the middle, the only one talking to etcd; the
// scheduler, kube-controller-manager and cloud-controller-manager above it, each a client of it.
import type { LiveObject, LiveSettings, LiveStats } from "../../live";
import { age, formatBytes } from "../../k8s";
import { Link, Num, Part } from "./parts";

type T = (key: string, vars?: Record<string, string | number>) => string;

// The controllers the classroom runs on behalf of cloud-controller-manager (it shares the
// control loop with kube-controller-manager here, so their counters arrive together).
const CLOUD_CONTROLLERS = new Set(["service-lb-controller", "cloud-node-controller", "cloud-node-lifecycle-controller", "node-route-controller"]);

export interface CpProps {
  t: T;
  stats?: LiveStats;
  settings?: LiveSettings;
  services: Iterable<LiveObject>;
  simNow: number;
  open: Set<string>;
  toggle: (id: string) => void;
}

const stateBadge = (t: T, stopped: boolean) => <span class={`badge ${stopped ? "bad" : "ok"}`}>{stopped ? t("stopped") : t("running")}</span>;

export function ControlPlane(p: CpProps) {
  const { t, stats: s } = p;
  const common = (id: string) => ({ id, plane: "cp" as const, open: p.open.has(id), onToggle: p.toggle, explanation: t(`x-${id}`) });

  const reconciles = Object.entries(s?.controllers.reconciles ?? {});
  const kcm = reconciles.filter(([n]) => !CLOUD_CONTROLLERS.has(n)).sort((a, b) => b[1] - a[1]);
  const kcmTotal = kcm.reduce((a, [, n]) => a + n, 0);
  const ccmTotal = reconciles.filter(([n]) => CLOUD_CONTROLLERS.has(n)).reduce((a, [, n]) => a + n, 0);
  const lbs = [...p.services].filter((svc) => svc.spec?.type === "LoadBalancer");
  const cloud = p.settings?.cloud ?? s?.cloud.enabled ?? false;
  const controllersStopped = s?.controllers.stopped ?? p.settings?.controllersStopped ?? false;
  const sch = s?.scheduler;
  const schedulerStopped = sch?.stopped ?? p.settings?.scheduler.stopped ?? false;

  return (
    <div class="cp-grid">
      <div class="cp-sched">
        <Part {...common("kube-scheduler")} title="kube-scheduler" signature={sch ? `${sch.cycles}/${sch.active}/${sch.backoff}/${sch.unschedulable}/${sch.stopped}/${sch.scoring}` : ""} badge={stateBadge(t, schedulerStopped)} dim={schedulerStopped}>
          {sch && <>
            {sch.stopped && <p class="warn">{t("stoppedScheduler")}</p>}
            <div class="nums">
              <Num value={sch.active} label={t("active")} tone={sch.active > 0 ? "wait" : undefined} />
              <Num value={sch.backoff} label={t("backoff")} tone={sch.backoff > 0 ? "wait" : undefined} />
              <Num value={sch.unschedulable} label={t("unschedulable")} tone={sch.unschedulable > 0 ? "bad" : undefined} />
              <Num value={sch.cycles} label={t("cycles")} />
              <Num value={sch.bound} label={t("bound")} />
              <Num value={sch.failed} label={t("failed")} />
            </div>
            <p class="kv"><span>{t("scoring")}</span> <code>{sch.scoring}</code></p>
            <p class="kv"><span>{t("lastDecisions")}</span></p>
            {sch.last.length === 0 ? <p class="muted small">{t("noDecisions")}</p> : (
              <ul class="decisions">
                {sch.last.map((d) => (
                  <li key={`${d.pod}@${d.at}`} class={d.node ? "" : "failed"}>
                    <code>{d.pod.split("/")[1] ?? d.pod}</code>{" "}
                    {d.node ? <>→ <strong>{d.node}</strong></> : <span class="msg">✗ {d.message}</span>}
                    <span class="muted small"> · {age(new Date(d.at).toISOString(), p.simNow)}</span>
                  </li>
                ))}
              </ul>
            )}
          </>}
        </Part>
      </div>
      <Link label={t("linkScheduler")} to="kube-apiserver" testid="link-scheduler" cls="l-sched" />

      <div class="cp-cm">
        <Part {...common("kube-controller-manager")} title="kube-controller-manager" signature={`${kcmTotal}/${controllersStopped}`} badge={stateBadge(t, controllersStopped)} dim={controllersStopped}>
          {s && <>
            {controllersStopped && <p class="warn">{t("stoppedControllers")}</p>}
            <div class="nums">
              <Num value={kcmTotal} label={`${t("reconciles")} · ${t("total")}`} />
              <Num value={s.faults?.total ?? 0} label={t("faults")} tone={(s.faults?.total ?? 0) > 0 ? "bad" : undefined} />
            </div>
            <ul class="bars">
              {kcm.slice(0, 5).map(([name, n]) => (
                <li key={name}>
                  <span class="bar-name">{name}</span>
                  <span class="track"><span class="bar" style={{ width: `${Math.max(4, (n / (kcm[0]?.[1] || 1)) * 100)}%` }} /></span>
                  <b>{n}</b>
                </li>
              ))}
            </ul>
            {(s.faults?.recent.length ?? 0) > 0 && <>
              <p class="kv"><span>{t("lastFaults")}</span></p>
              <ul class="decisions" data-testid="faults">
                {s.faults.recent.slice().reverse().map((f) => (
                  <li key={`${f.component}@${f.at}@${f.key}`} class="failed"><code>{f.component}</code> {f.key} <span class="msg">✗ {f.message}</span></li>
                ))}
              </ul>
            </>}
          </>}
        </Part>
      </div>
      <Link label={t("linkControllers")} to="kube-apiserver" testid="link-controllers" cls="l-cm" />

      <div class="cp-ccm">
        <Part {...common("cloud-controller-manager")} title="cloud-controller-manager" signature={`${ccmTotal}/${s?.cloud.loadBalancers ?? 0}`} dim={!cloud || controllersStopped}
          badge={cloud ? stateBadge(t, controllersStopped) : <span class="badge gone" data-testid="ccm-onprem">{t("onPrem")}</span>}>
          {cloud && s && <>
            <div class="nums">
              <Num value={s.cloud.loadBalancers} label={t("loadBalancers")} />
              <Num value={ccmTotal} label={t("reconciles")} />
            </div>
            {lbs.length === 0 ? <p class="muted small">{t("noLb")}</p> : (
              <ul class="lbs">
                {lbs.map((svc) => {
                  const ing: { ip?: string; hostname?: string }[] = svc.status?.loadBalancer?.ingress ?? [];
                  const addr = ing.map((i) => i.ip ?? i.hostname).filter(Boolean).join(", ");
                  return <li key={`${svc.metadata.namespace}/${svc.metadata.name}`}><code>{svc.metadata.name}</code> → {addr ? <strong>{addr}</strong> : <span class="muted">{t("pendingAddress")}</span>}</li>;
                })}
              </ul>
            )}
          </>}
        </Part>
      </div>
      <Link label={t("linkCloud")} to="kube-apiserver" state={cloud ? "ok" : "off"} testid="link-cloud" cls="l-ccm" />

      <div class="clients"><span class="chip">{t("clients")}</span><Link dir="h" label={t("clientsLink")} /></div>
      <div class="cp-api">
        <Part {...common("kube-apiserver")} title="kube-apiserver" signature={s ? `${s.apiServer.requests}/${s.apiServer.watches}` : ""}>
          {s && <div class="nums">
            <Num value={s.apiServer.requestsPerSecond} label={t("reqPerSec")} />
            <Num value={s.apiServer.requests} label={t("requests")} />
            <Num value={s.apiServer.watches} label={t("watches")} />
            {(s.apiServer.shed ?? 0) > 0 && <Num value={s.apiServer.shed!} label={s.apiServer.behind ? t("shedNow") : t("shed")} />}
          </div>}
        </Part>
      </div>
      <Link label={t("linkEtcd")} testid="link-etcd" cls="l-etcd" />
      <div class="cp-etcd">
        <Part {...common("etcd")} title="etcd" signature={s ? `${s.etcd.revision}/${s.etcd.compacted}` : ""}>
          {s && <div class="nums">
            <Num value={s.etcd.revision} label={t("revision")} />
            <Num value={s.etcd.keys} label={t("keys")} />
            <Num value={s.etcd.historyRows} label={t("history")} />
            <Num value={formatBytes(s.etcd.dbBytes)} label={t("dbSize")} />
            <Num value={s.etcd.compacted} label={t("compacted")} />
          </div>}
        </Part>
      </div>
    </div>
  );
}

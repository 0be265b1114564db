// Parts of the pod detail panel that read like `kubectl describe pod`: containers, conditions
// and the pod's events.
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";
import { age, eventsFor, eventTime, statusClass } from "../../k8s";
import type { LiveObject } from "../../live";
import type { Container, ContainerState, ContainerStatus, PodCondition } from "../../../../src/control-plane/api-server/objects/core";
import type { ResourceList } from "../../../../src/control-plane/api-server/objects/meta";
import { useObservable } from "../../observable";

const S: Strings = {
  en: {
    containers: "Containers", init: "init", image: "Image", state: "State", ready: "Ready", restarts: "Restarts", requests: "Requests", limits: "Limits",
    none: "none", running: "Running, started {age} ago", waiting: "Waiting: {reason}", terminated: "Terminated: {reason} (exit code {code})", notCreated: "not created yet",
    lastState: "last time: {reason} (exit code {code})", yes: "yes", no: "no",
    conditions: "Conditions", type: "Type", status: "Status", reason: "Reason", message: "Message", since: "Since",
    events: "Events", noEvents: "No events for this pod.", age: "Age", from: "From",
  },
  "pt-BR": {
    containers: "Contêineres", init: "init", image: "Imagem", state: "Estado", ready: "Pronto", restarts: "Reinícios", requests: "Requests", limits: "Limits",
    none: "nenhum", running: "Running, iniciado há {age}", waiting: "Esperando: {reason}", terminated: "Terminado: {reason} (código de saída {code})", notCreated: "ainda não criado",
    lastState: "da última vez: {reason} (código de saída {code})", yes: "sim", no: "não",
    conditions: "Condições", type: "Tipo", status: "Status", reason: "Motivo", message: "Mensagem", since: "Desde",
    events: "Eventos", noEvents: "Nenhum evento para este Pod.", age: "Idade", from: "Origem",
  },
};

function resources(r: ResourceList | undefined, none: string): string {
  if (!r || Object.keys(r).length === 0) return none;
  return Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(", ");
}

export function Containers({ pod }: { pod: LiveObject }) {
  const t = useT(S);
  const { live } = useClassroom();
  const now = live.simNow();
  const statuses = new Map<string, ContainerStatus>();
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) statuses.set(cs.name, cs);
  const list: { c: Container; init: boolean }[] = [
    ...(pod.spec?.initContainers ?? []).map((c: Container) => ({ c, init: true })),
    ...(pod.spec?.containers ?? []).map((c: Container) => ({ c, init: false })),
  ];
  const state = (cs?: ContainerStatus): { cls: string; text: string; msg?: string } => {
    const s: ContainerState = cs?.state ?? {};
    if (s.running) return { cls: "ok", text: t("running", { age: age(s.running.startedAt, now) }) };
    if (s.waiting) return { cls: statusClass(s.waiting.reason ?? ""), text: t("waiting", { reason: s.waiting.reason ?? "" }), msg: s.waiting.message };
    if (s.terminated) {
      const r = s.terminated.reason ?? "";
      return { cls: s.terminated.exitCode === 0 ? "done" : "bad", text: t("terminated", { reason: r, code: s.terminated.exitCode ?? "?" }), msg: s.terminated.message };
    }
    return { cls: "wait", text: t("notCreated") };
  };
  return (
    <section class="pd-section">
      <h3>{t("containers")}</h3>
      {list.map(({ c, init }) => {
        const cs = statuses.get(c.name);
        const st = state(cs);
        const last = cs?.lastState?.terminated;
        return (
          <div key={c.name} class="pd-container" data-testid={`container-${c.name}`}>
            <div class="pd-container-head"><strong>{c.name}</strong>{init && <span class="badge">{t("init")}</span>}</div>
            <dl class="pd-dl">
              <dt>{t("image")}</dt><dd><code>{c.image}</code></dd>
              <dt>{t("state")}</dt>
              <dd><span class={`badge ${st.cls}`}>{st.text}</span>{st.msg && <div class="pd-msg">{st.msg}</div>}</dd>
              <dt>{t("ready")}</dt><dd>{cs?.ready ? `✓ ${t("yes")}` : `✗ ${t("no")}`}</dd>
              <dt>{t("restarts")}</dt>
              <dd>{cs?.restartCount ?? 0}{last && <span class="muted"> · {t("lastState", { reason: last.reason ?? "", code: last.exitCode ?? "?" })}</span>}</dd>
              <dt>{t("requests")}</dt><dd>{resources(c.resources?.requests, t("none"))}</dd>
              <dt>{t("limits")}</dt><dd>{resources(c.resources?.limits, t("none"))}</dd>
            </dl>
          </div>
        );
      })}
    </section>
  );
}

export function Conditions({ pod }: { pod: LiveObject }) {
  const t = useT(S);
  const { live } = useClassroom();
  const conds: PodCondition[] = pod.status?.conditions ?? [];
  if (conds.length === 0) return null;
  return (
    <section class="pd-section">
      <h3>{t("conditions")}</h3>
      <div class="pd-scroll">
        <table class="pd-table">
          <thead><tr><th>{t("type")}</th><th>{t("status")}</th><th>{t("since")}</th><th>{t("reason")}</th></tr></thead>
          <tbody>
            {conds.map((c) => (
              <tr key={c.type}>
                <td>{c.type}</td>
                <td><span class={`badge ${c.status === "True" ? "ok" : "wait"}`}>{c.status}</span></td>
                <td>{age(c.lastTransitionTime, live.simNow())}</td>
                <td>{c.reason ?? ""}{c.message && <div class="pd-msg">{c.message}</div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function PodEvents({ pod }: { pod: LiveObject }) {
  const t = useT(S);
  const { live } = useClassroom();
  const cluster = useObservable(live.cluster);
  const evs = eventsFor(cluster.objects.events.values(), { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", uid: pod.metadata.uid });
  const now = live.simNow();
  return (
    <section class="pd-section">
      <h3>{t("events")}</h3>
      {evs.length === 0 ? <p class="muted">{t("noEvents")}</p> : (
        <div class="pd-scroll">
          <table class="pd-table pd-events" data-testid="pod-events">
            <thead><tr><th>{t("type")}</th><th>{t("reason")}</th><th>{t("age")}</th><th>{t("message")}</th></tr></thead>
            <tbody>
              {evs.map((e) => {
                const count: number = e.count ?? e.series?.count ?? 1;
                const from: string = e.source?.component ?? e.reportingComponent ?? e.reportingController ?? "";
                return (
                  <tr key={e.metadata.uid ?? e.metadata.name} class={e.type === "Warning" ? "warning" : ""} data-testid="pod-event" data-type={e.type}>
                    <td>{e.type === "Warning" ? `⚠ ${e.type}` : e.type}</td>
                    <td><strong>{e.reason}</strong></td>
                    <td title={new Date(eventTime(e)).toISOString()}>{age(new Date(eventTime(e)).toISOString(), now)}{count > 1 ? ` (×${count})` : ""}</td>
                    <td>{e.message ?? e.note}{from && <div class="muted small">{t("from")}: {from}</div>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

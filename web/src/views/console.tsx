// The instructor console: the machines (stop, start, partition, cordon, drain, add, remove), the
// control plane's components (stop the scheduler or the controller-manager and watch what stops
// happening), the scheduler's strategy, and time. Students and the cluster as a whole are in
// console-students.tsx. Every control shows its result or the API's refusal beside it.
import { useClassroom } from "../context";
import { useT } from "../i18n";
import { nodeReady } from "../k8s";
import type { LiveObject } from "../live";
import { useObservable } from "../observable";
import { useActions } from "./console-action";
import { S } from "./console-strings";
import { ClusterControls, StudentControls } from "./console-students";
import "./console.css";

const MERGE = "application/merge-patch+json";

function Result({ r }: { r?: { ok: boolean; text: string } }) {
  if (!r || !r.text) return null;
  return <div class={r.ok ? "console-ok" : "field-error"} data-testid="console-result" role="status">{r.text}</div>;
}

export function InstructorConsole() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const cluster = useObservable(live.cluster);
  const a = useActions();
  if (!settings) return null;

  const nodeObj = (name: string) => cluster.objects.nodes.get(name);
  const podsOn = (name: string) => [...cluster.objects.pods.values()].filter((p) => p.spec?.nodeName === name);
  const machine = (name: string, action: string) => api.kc("POST", `/nodes/${name}/${action}`).then(() => `${name}: ${t(action === "heal" || action === "start" ? "running" : action === "stop" ? "stopped" : "partitioned")}`);
  const cordon = (name: string, on: boolean) => api.k8s("PATCH", `/api/v1/nodes/${name}`, { spec: { unschedulable: on ? true : null } }, MERGE).then(() => `${name}: ${on ? t("cordoned") : t("uncordon")}`);

  /** kubectl drain: cordon, then evict each pod through the Eviction API (DaemonSet pods stay). */
  async function drain(name: string): Promise<string> {
    await cordon(name, true);
    let evicted = 0;
    const refused: string[] = [];
    for (const p of podsOn(name)) {
      if (p.metadata.ownerReferences?.some((o: { kind: string }) => o.kind === "DaemonSet") || p.metadata.deletionTimestamp) continue;
      const { namespace, name: pod } = p.metadata;
      try {
        await api.k8s("POST", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } });
        evicted++;
      } catch (e) {
        refused.push(`${pod}: ${(e as Error).message}`);
      }
    }
    return t("drained", { n: evicted, name }) + (refused.length ? ` · ${t("refused", { n: refused.length, why: refused.join("; ") })}` : "");
  }

  const rows = settings.machines.map((m) => ({ m, node: nodeObj(m.name) as LiveObject | undefined }));
  const act = (key: string, label: string, fn: () => Promise<string>, cls = "") => (
    <button class={cls} disabled={a.anyBusy} onClick={() => a.run(key, fn)} data-testid={key}>{a.busy(key) ? "…" : label}</button>
  );

  return (
    <section class="console" data-testid="console">
      <h2>{t("title")}</h2>

      <div class="panel">
        <h3>{t("nodes")}</h3>
        <p class="muted small">{t("nodesHint")}</p>
        <div class="table-wrap">
          <table>
            <thead><tr><th>{t("name")}</th><th>{t("size")}</th><th>{t("zone")}</th><th>{t("state")}</th><th>{t("ready")}</th><th>{t("pods")}</th><th>{t("actions")}</th></tr></thead>
            <tbody>
              {rows.map(({ m, node }) => {
                const cordoned = Boolean(node?.spec?.unschedulable);
                const k = (x: string) => `node-${m.name}-${x}`;
                return (
                  <tr key={m.name} data-testid={`console-node-${m.name}`}>
                    <td><strong>{m.name}</strong></td>
                    <td>{m.instanceType}</td>
                    <td>{m.zone}</td>
                    <td><span class={`badge ${m.state === "running" ? "ok" : "bad"}`}>{t(m.state)}</span>{cordoned && <> <span class="badge wait">{t("cordoned")}</span></>}</td>
                    <td>{node ? (nodeReady(node) ? t("yes") : t("no")) : "—"}</td>
                    <td>{podsOn(m.name).length}</td>
                    <td class="actions">
                      {m.state === "stopped" ? act(k("start"), t("start"), () => machine(m.name, "start")) : act(k("stop"), t("stop"), () => machine(m.name, "stop"))}
                      {m.state === "partitioned" ? act(k("heal"), t("heal"), () => machine(m.name, "heal")) : m.state === "running" && act(k("partition"), t("partition"), () => machine(m.name, "partition"))}
                      {cordoned ? act(k("uncordon"), t("uncordon"), () => cordon(m.name, false)) : act(k("cordon"), t("cordon"), () => cordon(m.name, true))}
                      {act(k("drain"), t("drain"), () => drain(m.name))}
                      {act(k("remove"), t("remove"), async () => {
                        if (!confirm(t("confirmRemove", { name: m.name }))) return "";
                        await api.kc("DELETE", `/nodes/${m.name}`);
                        return `${m.name}: ${t("remove")} ✓`;
                      }, "danger")}
                      <Result r={a.message(k("stop")) ?? a.message(k("start")) ?? a.message(k("partition")) ?? a.message(k("heal")) ?? a.message(k("cordon")) ?? a.message(k("uncordon")) ?? a.message(k("drain")) ?? a.message(k("remove"))} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <form class="row" onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.target as HTMLFormElement);
          const body: Record<string, string> = { size: String(f.get("size")) };
          if (String(f.get("name")).trim()) body.name = String(f.get("name")).trim();
          void a.run("add-node", () => api.kc("POST", "/nodes", body).then((r) => `${r.name} ✓`));
        }}>
          <strong>{t("addNode")}</strong>
          <select name="size" aria-label={t("size")}><option>kc-standard-2</option><option>kc-standard-4</option><option>kc-highmem-2</option></select>
          <input name="name" placeholder={t("optionalName")} aria-label={t("optionalName")} maxLength={63} />
          <button class="primary" disabled={a.anyBusy} data-testid="add-node">{t("add")}</button>
          <Result r={a.message("add-node")} />
        </form>
      </div>

      <div class="grid2">
        <div class="panel">
          <h3>{t("components")}</h3>
          {([["scheduler", settings.scheduler.stopped, "/scheduler/running", "schedulerHint", "scheduler-toggle"], ["controllers", settings.controllersStopped, "/controllers/running", "controllersHint", "controllers-toggle"]] as const).map(([name, stopped, path, hint, id]) => (
            <div class="component-row" key={name}>
              <div class="row">
                <code>{t(name)}</code>
                <span class={`badge ${stopped ? "bad" : "ok"}`} data-testid={`${id}-state`}>{stopped ? t("off") : t("on")}</span>
                <button disabled={a.anyBusy} onClick={() => a.run(id, () => api.kc("PUT", path, { running: stopped }).then(() => ""))} data-testid={id}>{stopped ? t("startIt") : t("stopIt")}</button>
              </div>
              <p class="muted small">{t(hint)}</p>
              <Result r={a.message(id)} />
            </div>
          ))}
          <label>
            <span>{t("scoring")}</span>
            <select value={settings.scheduler.scoring} disabled={a.anyBusy} data-testid="scoring" onChange={(e) => {
              const type = (e.target as HTMLSelectElement).value;
              const scoringStrategy = type === "RequestedToCapacityRatio"
                ? { type, shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } // favours fuller nodes, like bin packing
                : { type };
              void a.run("scoring", () => api.kc("PUT", "/scheduler/profile", { scoringStrategy }).then(() => type));
            }}>
              <option>LeastAllocated</option><option>MostAllocated</option><option>RequestedToCapacityRatio</option>
            </select>
          </label>
          <p class="muted small">{t("scoringHint")}</p>
          <Result r={a.message("scoring")} />
        </div>

        <div class="panel">
          <h3>{t("time")}</h3>
          <div class="row">
            <label class="inline"><span>{t("speed")}</span>
              <select value={String(settings.clock.speed)} disabled={a.anyBusy} data-testid="speed" onChange={(e) => a.run("speed", () => api.kc("PUT", "/clock", { speed: Number((e.target as HTMLSelectElement).value) }).then(() => ""))}>
                {[0.5, 1, 2, 5, 10, 20].map((s) => <option key={s} value={String(s)}>{s}×</option>)}
                {![0.5, 1, 2, 5, 10, 20].includes(settings.clock.speed) && <option value={String(settings.clock.speed)}>{settings.clock.speed}×</option>}
              </select>
            </label>
            <button disabled={a.anyBusy} data-testid="pause" onClick={() => a.run("pause", () => api.kc("PUT", "/clock", { paused: !settings.clock.paused }).then(() => ""))}>
              {settings.clock.paused ? t("resume") : t("pause")}
            </button>
            {settings.clock.paused && <span class="badge wait">{t("paused")}</span>}
          </div>
          <div class="row">
            <span>{t("skip")}:</span>
            {[10, 60, 300].map((s) => (
              <button key={s} disabled={a.anyBusy} data-testid={`skip-${s}`} onClick={() => a.run(`skip-${s}`, () => api.kc("POST", "/clock/advance", { seconds: s }).then(() => ""))}>+{s < 60 ? `${s} s` : `${s / 60} min`}</button>
            ))}
          </div>
          <Result r={a.message("speed") ?? a.message("pause") ?? a.message("skip-10") ?? a.message("skip-60") ?? a.message("skip-300")} />
        </div>
      </div>

      <StudentControls />
      <ClusterControls />
    </section>
  );
}

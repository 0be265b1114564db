// The console's machines: what each node is (size, zone), its machine state and what Kubernetes
// thinks of it (Ready, cordoned), and the actions an operator has: stop/start the machine, cut it
// off from the network, cordon, drain, remove, add.
import { NODE_SIZES, type NodeSize } from "../../../../src/classroom/fleet/node-sizes";
import { ApiError, json } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import type { LiveObject } from "../../live";
import { useObservable } from "../../observable";
import { Result, useActions } from "./action";
import { S } from "./strings";

const MERGE = "application/merge-patch+json";
const MIRROR = "kubernetes.io/config.mirror";

function readyOf(node: LiveObject | undefined): "Ready" | "NotReady" | "Unknown" | undefined {
  const c = (node?.status?.conditions ?? []).find((x: { type: string }) => x.type === "Ready");
  if (!c) return undefined;
  return c.status === "True" ? "Ready" : c.status === "Unknown" ? "Unknown" : "NotReady";
}

export function NodesPanel() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const cluster = useObservable(live.cluster);
  const a = useActions();
  if (!settings) return null;

  const podsOn = (name: string) => [...cluster.objects.pods.values()].filter((p) => p.spec?.nodeName === name);
  const machine = (name: string, action: "stop" | "start" | "partition" | "heal") =>
    json(api.kc.nodes[":node"][action].$post({ param: { ...api.id, node: name } })).then((r) => t("machineNow", { name, state: t(r.state) }));
  const cordon = (name: string, on: boolean) =>
    api.k8s("PATCH", `/api/v1/nodes/${name}`, { spec: { unschedulable: on ? true : null } }, MERGE).then(() => t(on ? "cordonedNow" : "uncordonedNow", { name }));

  /** kubectl drain: cordon, then evict each Pod through the Eviction API, which honours PodDisruptionBudgets. */
  async function drain(name: string): Promise<string> {
    await cordon(name, true);
    let evicted = 0;
    let skipped = 0;
    const refused: string[] = [];
    for (const p of podsOn(name)) {
      if (p.metadata.deletionTimestamp) continue;
      // As kubectl drain does by default: DaemonSet Pods would come straight back, static (mirror) Pods belong to the kubelet.
      if (p.metadata.ownerReferences?.some((o: { kind: string }) => o.kind === "DaemonSet") || p.metadata.annotations?.[MIRROR]) { skipped++; continue; }
      const { namespace, name: pod } = p.metadata;
      try {
        await api.k8s("POST", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } });
        evicted++;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) continue; // gone meanwhile: nothing to evict
        refused.push(`${pod}: ${(e as Error).message}`);
      }
    }
    return [t("drained", { n: evicted, name }), skipped ? t("skipped", { n: skipped }) : "", refused.length ? t("refused", { n: refused.length, why: refused.join("; ") }) : ""].filter(Boolean).join(" · ");
  }

  // Machines first; a Node object without a machine (registered by hand) still shows, without machine actions.
  const names = settings.machines.map((m) => m.name);
  const extra = [...cluster.objects.nodes.keys()].filter((n) => !names.includes(n));
  const act = (key: string, label: string, fn: () => Promise<string>, cls = "") => (
    <button type="button" class={cls} disabled={a.anyBusy} onClick={() => a.run(key, fn)} data-testid={key}>{a.busy(key) ? "…" : label}</button>
  );

  return (
    <div class="panel" data-testid="console-nodes">
      <h3>{t("nodes")}</h3>
      <p class="muted small">{t("nodesHint")}</p>
      <table class="nodes-table">
        <thead><tr><th>{t("name")}</th><th>{t("size")}</th><th>{t("zone")}</th><th>{t("state")}</th><th>{t("ready")}</th><th>{t("cordonedCol")}</th><th>{t("pods")}</th><th>{t("actions")}</th></tr></thead>
        <tbody>
          {[...settings.machines, ...extra.map((name) => ({ name, state: undefined, instanceType: "—", zone: "—" }))].map((m) => {
            const node = cluster.objects.nodes.get(m.name);
            const ready = readyOf(node);
            const cordoned = Boolean(node?.spec?.unschedulable);
            const k = (x: string) => `node-${m.name}-${x}`;
            const keys = ["stop", "start", "partition", "heal", "cordon", "uncordon", "drain", "remove"].map(k);
            return (
              <tr key={m.name} data-testid={`console-node-${m.name}`} data-state={m.state} data-ready={ready}>
                <td data-label={t("name")}><strong>{m.name}</strong></td>
                <td data-label={t("size")}>{m.instanceType}</td>
                <td data-label={t("zone")}>{m.zone}</td>
                <td data-label={t("state")}>{m.state && <span class={`badge ${m.state === "running" ? "ok" : "bad"}`} data-testid={k("state")}>{t(m.state)}</span>}</td>
                <td data-label={t("ready")}>{ready ? <span class={`badge ${ready === "Ready" ? "ok" : ready === "Unknown" ? "wait" : "bad"}`} data-testid={k("ready")}>{t(ready)}</span> : <span class="muted small">{t("noNode")}</span>}</td>
                <td data-label={t("cordonedCol")}>{cordoned ? <span class="badge wait" data-testid={k("cordoned")}>{t("yes")}</span> : <span class="muted">{t("no")}</span>}</td>
                <td data-label={t("pods")}>{podsOn(m.name).length}</td>
                <td data-label={t("actions")}>
                  <div class="actions">
                    {m.state === "stopped" ? act(k("start"), t("start"), () => machine(m.name, "start")) : m.state && act(k("stop"), t("stop"), () => machine(m.name, "stop"))}
                    {m.state === "partitioned" ? act(k("heal"), t("heal"), () => machine(m.name, "heal")) : m.state === "running" && act(k("partition"), t("partition"), () => machine(m.name, "partition"))}
                    {node && (cordoned ? act(k("uncordon"), t("uncordon"), () => cordon(m.name, false)) : act(k("cordon"), t("cordon"), () => cordon(m.name, true)))}
                    {node && act(k("drain"), t("drain"), () => drain(m.name))}
                    {m.state && act(k("remove"), t("remove"), async () => {
                      if (!confirm(t("confirmRemove", { name: m.name }))) return "";
                      await json(api.kc.nodes[":node"].$delete({ param: { ...api.id, node: m.name } }));
                      return t("removed", { name: m.name });
                    }, "danger")}
                  </div>
                  <Result r={keys.map((x) => a.message(x)).find(Boolean)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form class="row add-node" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.target as HTMLFormElement);
        const body: { name?: string; size?: NodeSize } = {};
        if (String(f.get("size"))) body.size = String(f.get("size")) as NodeSize; // one of the options below
        if (String(f.get("name") ?? "").trim()) body.name = String(f.get("name")).trim();
        void a.run("add-node", () => json(api.kc.nodes.$post({ param: api.id, json: body })).then((r) => t("added", { name: r.name })));
      }}>
        <strong>{t("addNode")}</strong>
        <select name="size" aria-label={t("size")} data-testid="add-node-size">
          <option value="">{t("autoSize")}</option>
          {NODE_SIZES.map(({ instanceType: s }) => <option key={s} value={s}>{s}</option>)}
        </select>
        <input name="name" placeholder={t("optionalName")} aria-label={t("optionalName")} maxLength={63} data-testid="add-node-name" />
        <button class="primary" disabled={a.anyBusy} data-testid="add-node">{a.busy("add-node") ? "…" : t("add")}</button>
        <Result r={a.message("add-node")} />
      </form>
    </div>
  );
}

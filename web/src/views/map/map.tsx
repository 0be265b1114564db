// The cluster map: every node as a box with what its pods request against what it can give, its
// pods as chips coloured by status and tagged with their student, and the pods still waiting for a
// node with the scheduler's reason. It follows the live cluster, so when a node stops the class
// sees its pods leave one box and appear in another.
import { useState } from "preact/hooks";
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";
import { nodeAllocatable, nodeReady, ownerOf, pendingReason, podRequests, podStatus } from "../../k8s";
import type { LiveObject } from "../../live";
import { useObservable } from "../../observable";
import { NodeBox, PodChip } from "./node";
import { byName, isHighlighted, isTerminal, studentsOf } from "../map-util";
import "./map.css";

const S: Strings = {
  en: {
    filter: "Show pods of", all: "all students", mine: "mine", nodesReady: "Nodes Ready: {ready}/{total}",
    pods: "Pods: {running} Running · {pending} Pending · {other} other", pendingTitle: "Pending: waiting for a node ({n})",
    noPending: "No pod is waiting for a node.", waiting: "waiting for the scheduler…",
    schedulerStopped: "The scheduler is stopped: no pod gets a node until the instructor starts it again.",
    legend: "Legend", lOk: "Running", lWait: "Pending / starting", lBad: "Error / CrashLoopBackOff", lDone: "Completed", lGone: "Terminating / deleted",
    lPulse: "pulsing: containers being created", lHl: "ring: what you just deployed", noNodes: "This cluster has no nodes.",
    clickHint: "Click a pod to see its details, events, logs and why the scheduler put it where it is.",
  },
  "pt-BR": {
    filter: "Mostrar Pods de", all: "todos os alunos", mine: "meus", nodesReady: "Nós Ready: {ready}/{total}",
    pods: "Pods: {running} Running · {pending} Pending · {other} outros", pendingTitle: "Pending: esperando um nó ({n})",
    noPending: "Nenhum Pod esperando um nó.", waiting: "esperando o scheduler…",
    schedulerStopped: "O scheduler está parado: nenhum Pod recebe um nó até o instrutor ligá-lo de novo.",
    legend: "Legenda", lOk: "Running", lWait: "Pending / iniciando", lBad: "Erro / CrashLoopBackOff", lDone: "Completed", lGone: "Terminating / excluído",
    lPulse: "pulsando: criando os contêineres", lHl: "contorno: o que você acabou de implantar", noNodes: "Este cluster não tem nós.",
    clickHint: "Clique num Pod para ver detalhes, eventos, logs e por que o scheduler o colocou onde está.",
  },
};

const GONE_MS = 1500;

/** Oldest first, so a new pod lands at the end of its node and the others stay put. */
function byAge(a: LiveObject, b: LiveObject): number {
  const ta = a.metadata.creationTimestamp ?? "", tb = b.metadata.creationTimestamp ?? "";
  return ta < tb ? -1 : ta > tb ? 1 : byName(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`);
}

export function ClusterMap() {
  const t = useT(S);
  const ctx = useClassroom();
  const { live, me, id } = ctx;
  const cluster = useObservable(live.cluster);
  const settings = useObservable(live.settings);
  const highlight = useObservable(ctx.highlight);
  const selected = useObservable(ctx.selected);
  const filterKey = `kubeclass.${id}.mapFilter`;
  const [filter, setFilterState] = useState<string>(() => sessionStorage.getItem(filterKey) ?? "all");
  const setFilter = (f: string) => {
    sessionStorage.setItem(filterKey, f);
    setFilterState(f);
  };

  const { objects } = cluster;
  const students = studentsOf(objects);
  const matches = (p: LiveObject) => filter === "all" || (filter === "mine" ? ownerOf(p) === me.name : ownerOf(p) === filter.slice(2));
  const isHl = (p: LiveObject) => isHighlighted(p, highlight, objects);
  const selectedKey = selected ? `${selected.namespace}/${selected.name}` : undefined;
  const onSelect = (p: LiveObject) => ctx.selected.set({ namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "" });

  // Pods by the node they are bound to ("" = not yet scheduled).
  const byNode = new Map<string, LiveObject[]>();
  for (const p of objects.pods.values()) {
    const n: string = p.spec?.nodeName ?? "";
    if (!n && isTerminal(p)) continue;
    (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p);
  }
  const leavingBy = new Map<string, LiveObject[]>();
  const now = Date.now();
  for (const { pod, at } of cluster.gone.values()) {
    if (now - at > GONE_MS || !matches(pod)) continue;
    const n: string = pod.spec?.nodeName ?? "";
    (leavingBy.get(n) ?? leavingBy.set(n, []).get(n)!).push(pod);
  }

  const machines = new Map((settings?.machines ?? []).map((m) => [m.name, m]));
  const names = new Set<string>([...objects.nodes.keys(), ...machines.keys(), ...[...byNode.keys()].filter(Boolean)]);
  const nodeNames = [...names].sort(byName);
  const readyNodes = [...objects.nodes.values()].filter(nodeReady).length;

  const visible = [...objects.pods.values()].filter(matches);
  const running = visible.filter((p) => podStatus(p) === "Running").length;
  const pendingCount = visible.filter((p) => (p.status?.phase ?? "Pending") === "Pending" && podStatus(p) !== "Running").length;
  const pending = (byNode.get("") ?? []).filter(matches).sort(byAge);

  return (
    <div class="cluster-map" data-testid="cluster-map">
      <div class="map-bar">
        <label class="map-filter">
          <span>{t("filter")}</span>
          <select value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)} data-testid="map-filter">
            <option value="all">{t("all")}</option>
            {me.role === "student" && <option value="mine">{t("mine")} ({me.name})</option>}
            {students.map((s) => <option key={s} value={`s:${s}`}>{s}</option>)}
          </select>
        </label>
        <p class="map-summary" data-testid="map-summary">
          <strong>{t("nodesReady", { ready: readyNodes, total: objects.nodes.size })}</strong>
          {" · "}
          {t("pods", { running, pending: pendingCount, other: visible.length - running - pendingCount })}
        </p>
      </div>
      <Legend />

      <section class="cm-pending panel" data-testid="pending" aria-live="polite">
        <h3>{t("pendingTitle", { n: pending.length })}</h3>
        {settings?.scheduler.stopped && <p class="sched-stopped" data-testid="scheduler-stopped">{t("schedulerStopped")}</p>}
        {pending.length === 0 && (leavingBy.get("") ?? []).length === 0 ? <p class="muted">{t("noPending")}</p> : (
          <ul class="pending-list">
            {pending.map((p) => (
              <li key={p.metadata.uid} class="pending-item">
                <PodChip pod={p} highlighted={isHl(p)} selected={selectedKey === `${p.metadata.namespace}/${p.metadata.name}`} onSelect={onSelect} />
                <span class="cm-reason" data-testid="pending-reason">{pendingReason(p) ?? t("waiting")}</span>
              </li>
            ))}
            {(leavingBy.get("") ?? []).map((p) => <li key={`gone-${p.metadata.uid}`} class="pending-item"><PodChip pod={p} leaving /></li>)}
          </ul>
        )}
      </section>

      {nodeNames.length === 0 && <p class="muted">{t("noNodes")}</p>}
      <div class="cm-nodes">
        {nodeNames.map((name) => {
          const node = objects.nodes.get(name);
          const all = byNode.get(name) ?? [];
          const requested = all.filter((p) => !isTerminal(p)).reduce((a, p) => {
            const r = podRequests(p);
            return { cpuMillis: a.cpuMillis + r.cpuMillis, memoryBytes: a.memoryBytes + r.memoryBytes };
          }, { cpuMillis: 0, memoryBytes: 0 });
          const shown = all.filter(matches).sort(byAge);
          return (
            <NodeBox key={name} name={name} node={node} machine={machines.get(name)} ready={!!node && nodeReady(node)}
              requested={requested} allocatable={node ? nodeAllocatable(node) : { cpuMillis: 0, memoryBytes: 0 }}
              pods={shown} leaving={leavingBy.get(name) ?? []} hidden={all.length - shown.length}
              isHl={isHl} selectedKey={selectedKey} onSelect={onSelect} />
          );
        })}
      </div>
      <p class="muted map-hint">{t("clickHint")}</p>
    </div>
  );
}

function Legend() {
  const t = useT(S);
  return (
    <ul class="cm-legend" aria-label={t("legend")} data-testid="legend">
      {(["ok", "wait", "bad", "done", "gone"] as const).map((c) => (
        <li key={c}><span class={`cm-swatch s-${c}`} aria-hidden="true" />{t(`l${c[0].toUpperCase()}${c.slice(1)}`)}</li>
      ))}
      <li><span class="cm-swatch s-wait pulse" aria-hidden="true" />{t("lPulse")}</li>
      <li><span class="cm-swatch s-ok hl" aria-hidden="true" />{t("lHl")}</li>
    </ul>
  );
}

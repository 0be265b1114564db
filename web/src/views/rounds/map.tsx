// A round's cluster map at one moment, as the server rebuilt it from the round's log: node boxes
// with what their pods request against what they can give, pod chips coloured by phase and tagged
// with their student, and the pods still waiting for a node. Used by the replay and the comparison.
import { useT } from "../../i18n";
import { formatBytes } from "../../k8s";
import { cores, personColor, personTag } from "../map-util";
import { S } from "./strings";
import { type ClusterMap, type MapNode, type MapPod, type PendingPod, phaseClass } from "./types";

/** "web-6dc5cd68db-7bhgj" → "web-7bhgj": the ReplicaSet hash says nothing to a class. */
export function shortName(name: string, max = 18): string {
  const n = name.replace(/^(.+)-[a-z0-9]{8,10}-([a-z0-9]{5})$/, "$1-$2");
  if (n.length <= max) return n;
  return `${n.slice(0, Math.ceil((max - 1) / 2))}…${n.slice(n.length - Math.floor((max - 1) / 2))}`;
}

function Bar({ label, used, total, text }: { label: string; used: number; total: number; text: string }) {
  const p = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div class="rd-bar-row">
      <span class="rd-bar-name">{label}</span>
      <span class="rd-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used}>
        <span class={`rd-fill ${p >= 90 ? "hi" : p >= 70 ? "mid" : "lo"}`} style={{ width: `${p}%` }} />
      </span>
      <span class="rd-bar-num">{text}</span>
    </div>
  );
}

function Chip({ pod, prefix, phase, reason }: { pod: MapPod | PendingPod; prefix: string; phase: string; reason?: string }) {
  const t = useT(S);
  const who = pod.student ?? (pod.namespace.startsWith("kube-") ? undefined : "instructor");
  return (
    <span class={`rd-pod s-${phaseClass(phase)}`} data-testid={`${prefix}-pod-${pod.namespace}-${pod.name}`} data-phase={phase}
      title={`${pod.namespace}/${pod.name} · ${phase}${who ? ` · ${who}` : ""}${reason ? `\n${reason}` : ""}`}>
      <span class="rd-pname">{shortName(pod.name)}</span>
      {phase !== "Running" && <span class="rd-pstat">{phase}</span>}
      <span class="rd-who" style={{ background: personColor(who) }}>{who ? personTag(who === "instructor" ? t("instructor") : who) : t("system")}</span>
    </span>
  );
}

function NodeBox({ node, prefix }: { node: MapNode; prefix: string }) {
  const t = useT(S);
  const { allocatable: a, requested: r } = node;
  return (
    <section class="rd-node" data-testid={`${prefix}-node-${node.name}`} data-pods={node.pods.length} aria-label={node.name}>
      <header><strong>{node.name}</strong> <span class="muted">{node.pods.length === 1 ? t("podOne") : t("podsN", { n: node.pods.length })}</span></header>
      <Bar label={t("cpu")} used={r.cpuMillis} total={a.cpuMillis} text={`${cores(r.cpuMillis)} / ${cores(a.cpuMillis)}`} />
      <Bar label={t("memory")} used={r.memoryBytes} total={a.memoryBytes} text={`${formatBytes(r.memoryBytes)} / ${formatBytes(a.memoryBytes)}`} />
      <div class="rd-chips">
        {node.pods.map((p) => <Chip key={`${p.namespace}/${p.name}`} pod={p} prefix={prefix} phase={p.phase} />)}
        {node.pods.length === 0 && <span class="muted rd-empty">{t("noPods")}</span>}
      </div>
    </section>
  );
}

/** prefix names the test ids: `<prefix>-node-<name>`, `<prefix>-pod-<namespace>-<name>`. */
export function RoundMap({ map, prefix, compact }: { map: ClusterMap; prefix: string; compact?: boolean }) {
  const t = useT(S);
  return (
    <div class={`rd-map ${compact ? "compact" : ""}`} data-testid={`${prefix}-map`}>
      <div class="rd-nodes">
        {map.nodes.map((n) => <NodeBox key={n.name} node={n} prefix={prefix} />)}
        {map.nodes.length === 0 && <p class="muted">{t("noNodes")}</p>}
      </div>
      <div class="rd-pending" data-testid={`${prefix}-pending`} data-count={map.pending.length}>
        <strong>{t("pendingQueue", { n: map.pending.length })}</strong>
        <div class="rd-chips">
          {map.pending.map((p) => <Chip key={`${p.namespace}/${p.name}`} pod={p} prefix={prefix} phase="Pending" reason={p.reason} />)}
          {map.pending.length === 0 && <span class="muted rd-empty">{t("noPending")}</span>}
        </div>
        {map.pending.some((p) => p.reason) && (
          <p class="muted rd-reason">{t("lastReason")}: {map.pending.find((p) => p.reason)?.reason}</p>
        )}
      </div>
    </div>
  );
}

// One node of the cluster map (its state, what its pods request against what it can give) and
// the pod chips inside it. Chips are keyed by uid, so a pod's colour changes in place (a CSS
// transition) while a new pod is a new chip (it pops in) and a deleted one fades out where it was.
import { useT, type Strings } from "../../i18n";
import { formatBytes, ownerOf, podStatus, statusClass } from "../../k8s";
import type { LiveObject, LiveSettings } from "../../live";
import { cores, isStarting, personColor, personTag, shortPodName } from "../map-util";

const S: Strings = {
  en: {
    ready: "Ready", notReady: "NotReady", stopped: "stopped", partitioned: "partitioned", cordoned: "cordoned",
    noNode: "no Node object yet (the kubelet is registering)", noMachine: "no machine (the node was removed)",
    cpu: "cpu", memory: "memory", requested: "requested / allocatable", empty: "no pods", hidden: "+{n} other pods (filtered out)",
    deleted: "deleted", system: "system", podCount: "{n} pods", stoppedHint: "The machine is stopped: its kubelet no longer reports, so the node turns NotReady and, after 5 minutes, its pods are evicted.",
    partitionedHint: "The machine is cut off from the network: it may still run its pods, but the control plane cannot hear its kubelet.",
    cordonedHint: "Cordoned (spec.unschedulable): the scheduler places no new pods here; the pods already here keep running.",
  },
  "pt-BR": {
    ready: "Ready", notReady: "NotReady", stopped: "parada", partitioned: "isolada", cordoned: "cordoned",
    noNode: "ainda sem objeto Node (o kubelet está se registrando)", noMachine: "sem máquina (o nó foi removido)",
    cpu: "cpu", memory: "memória", requested: "solicitado / alocável", empty: "nenhum Pod", hidden: "+{n} outros Pods (filtrados)",
    deleted: "excluído", system: "sistema", podCount: "{n} Pods", stoppedHint: "A máquina está parada: o kubelet não reporta mais, então o nó fica NotReady e, depois de 5 minutos, os Pods dele são despejados.",
    partitionedHint: "A máquina está sem rede: pode continuar rodando os Pods, mas o control plane não escuta mais o kubelet.",
    cordonedHint: "Cordoned (spec.unschedulable): o scheduler não coloca novos Pods aqui; os que já estão continuam rodando.",
  },
};

type MachineState = LiveSettings["machines"][number];

export interface ChipProps {
  pod: LiveObject;
  highlighted?: boolean;
  selected?: boolean;
  /** A pod deleted moments ago, shown fading out where it was. */
  leaving?: boolean;
  onSelect?: (pod: LiveObject) => void;
}

export function PodChip({ pod, highlighted, selected, leaving, onSelect }: ChipProps) {
  const t = useT(S);
  const status = podStatus(pod);
  const cls = statusClass(status);
  const owner = ownerOf(pod);
  const ns = pod.metadata.namespace ?? "";
  const name = pod.metadata.name ?? "";
  const classes = ["cm-chip", `s-${cls}`, isStarting(status) ? "pulse" : "", highlighted ? "hl" : "", selected ? "sel" : "", leaving ? "leaving" : ""].filter(Boolean).join(" ");
  const title = `${ns}/${name} · ${leaving ? t("deleted") : status}${owner ? ` · ${owner}` : ""}`;
  const body = (
    <>
      <span class="cm-dot" aria-hidden="true" />
      <span class="cm-pname">{shortPodName(pod)}</span>
      {status !== "Running" && <span class="cm-pstat">{leaving ? t("deleted") : status}</span>}
      <span class="cm-who" style={{ background: personColor(owner) }}>{owner ? personTag(owner) : t("system")}</span>
    </>
  );
  if (leaving) {
    return <span class={classes} title={title} aria-hidden="true" data-testid={`gone-${ns}-${name}`}>{body}</span>;
  }
  return (
    <button type="button" class={classes} title={title} data-testid={`pod-${ns}-${name}`} data-status={status} data-node={pod.spec?.nodeName ?? ""}
      aria-pressed={selected} onClick={() => onSelect?.(pod)}>
      {body}
    </button>
  );
}

function Bar({ label, used, total, text }: { label: string; used: number; total: number; text: string }) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const level = pct >= 90 ? "hi" : pct >= 70 ? "mid" : "lo";
  return (
    <div class="bar-row">
      <span class="bar-label">{label}</span>
      <div class="cm-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used}>
        <div class={`cm-fill ${level}`} style={{ width: `${pct}%` }} />
      </div>
      <span class="bar-num">{text}</span>
    </div>
  );
}

export interface NodeBoxProps {
  name: string;
  node?: LiveObject;
  machine?: MachineState;
  ready: boolean;
  requested: { cpuMillis: number; memoryBytes: number };
  allocatable: { cpuMillis: number; memoryBytes: number };
  pods: LiveObject[];
  leaving: LiveObject[];
  hidden: number;
  isHl: (p: LiveObject) => boolean;
  selectedKey?: string;
  onSelect: (p: LiveObject) => void;
}

export function NodeBox(p: NodeBoxProps) {
  const t = useT(S);
  const labels = p.node?.metadata.labels ?? {};
  const type = labels["node.kubernetes.io/instance-type"] ?? p.machine?.instanceType;
  const zone = labels["topology.kubernetes.io/zone"] ?? p.machine?.zone;
  const cordoned = !!p.node?.spec?.unschedulable;
  const mstate = p.machine?.state;
  const classes = ["cm-node", p.ready ? "ready" : "not-ready", mstate && mstate !== "running" ? `m-${mstate}` : "", cordoned ? "cordoned" : ""].filter(Boolean).join(" ");
  return (
    <section class={classes} data-testid={`node-${p.name}`} data-ready={String(p.ready)} aria-label={p.name}>
      <header class="node-head">
        <strong class="node-name">{p.name}</strong>
        <span class={`badge ${p.ready ? "ok" : "bad"}`}>{p.ready ? t("ready") : t("notReady")}</span>
        {mstate === "stopped" && <span class="badge state-stopped" title={t("stoppedHint")} data-testid="machine-stopped">■ {t("stopped")}</span>}
        {mstate === "partitioned" && <span class="badge state-partitioned" title={t("partitionedHint")} data-testid="machine-partitioned">⇹ {t("partitioned")}</span>}
        {cordoned && <span class="badge wait" title={t("cordonedHint")} data-testid="cordoned">⊘ {t("cordoned")}</span>}
      </header>
      <div class="node-meta muted">
        {[type, zone, p.node ? t("podCount", { n: p.pods.length + p.hidden }) : ""].filter(Boolean).join(" · ")}
        {!p.node && <div class="node-note">{p.machine ? t("noNode") : t("noMachine")}</div>}
      </div>
      {p.node && (
        <div class="cm-bars" title={t("requested")}>
          <Bar label={t("cpu")} used={p.requested.cpuMillis} total={p.allocatable.cpuMillis} text={`${cores(p.requested.cpuMillis)} / ${cores(p.allocatable.cpuMillis)} cpu`} />
          <Bar label={t("memory")} used={p.requested.memoryBytes} total={p.allocatable.memoryBytes} text={`${formatBytes(p.requested.memoryBytes)} / ${formatBytes(p.allocatable.memoryBytes)}`} />
        </div>
      )}
      <div class="cm-chips">
        {p.pods.map((pod) => (
          <PodChip key={pod.metadata.uid} pod={pod} highlighted={p.isHl(pod)} selected={p.selectedKey === `${pod.metadata.namespace}/${pod.metadata.name}`} onSelect={p.onSelect} />
        ))}
        {p.leaving.map((pod) => <PodChip key={`gone-${pod.metadata.uid}`} pod={pod} leaving />)}
        {p.pods.length === 0 && p.leaving.length === 0 && p.hidden === 0 && <span class="muted empty">{t("empty")}</span>}
      </div>
      {p.hidden > 0 && <div class="muted hidden-count">{t("hidden", { n: p.hidden })}</div>}
    </section>
  );
}

// The data plane: one box per worker node with its kubelet, kube-proxy and container runtime, the
// Pods it runs, and its line up to kube-apiserver (cut when the machine is partitioned or off).
import type { LiveObject, LiveSettings, LiveStats } from "../../live";
import { podStatus, statusClass } from "../../k8s";
import { Link, Num, Part } from "./parts";

type T = (key: string, vars?: Record<string, string | number>) => string;
type MachineState = "running" | "stopped" | "partitioned";

export interface NodesProps {
  t: T;
  stats?: LiveStats;
  settings?: LiveSettings;
  nodes: Map<string, LiveObject>;
  pods: Iterable<LiveObject>;
  simNow: number;
  open: Set<string>;
  toggle: (id: string) => void;
  onPod: (namespace: string, name: string) => void;
}

const MAX_DOTS = 48;

function readyOf(node: LiveObject | undefined): "True" | "False" | "Unknown" | undefined {
  return (node?.status?.conditions ?? []).find((c: { type: string }) => c.type === "Ready")?.status;
}

export function DataPlane(p: NodesProps) {
  const { t } = p;
  // Machines the classroom runs, then any Node object without a machine (registered by hand).
  const names = [...(p.settings?.machines.map((m) => m.name) ?? [])];
  for (const n of p.nodes.keys()) if (!names.includes(n)) names.push(n);
  const podsByNode = new Map<string, LiveObject[]>();
  for (const pod of p.pods) {
    const n = pod.spec?.nodeName;
    if (!n) continue;
    if (!podsByNode.has(n)) podsByNode.set(n, []);
    podsByNode.get(n)!.push(pod);
  }
  if (names.length === 0) return <p class="muted">{t("noNodes")}</p>;
  return (
    <div class="dp-grid">
      {names.map((name) => <NodeBox key={name} {...p} name={name} pods={podsByNode.get(name) ?? []} />)}
    </div>
  );
}

function NodeBox(p: NodesProps & { name: string; pods: LiveObject[] }) {
  const { t, name, stats } = p;
  const machine = p.settings?.machines.find((m) => m.name === name);
  const kubelet = stats?.kubelets.find((k) => k.node === name);
  const state: MachineState = kubelet?.state ?? machine?.state ?? "running";
  const node = p.nodes.get(name);
  const ready = readyOf(node);
  const cordoned = !!node?.spec?.unschedulable;
  const running = p.pods.filter((pod) => podStatus(pod) === "Running");
  const containers = running.reduce((a, pod) => a + (pod.status?.containerStatuses ?? []).filter((c: { state?: { running?: unknown } }) => c.state?.running).length, 0);
  const beat = kubelet?.lastHeartbeat ? Math.max(0, Math.round((p.simNow - Date.parse(kubelet.lastHeartbeat)) / 1000)) : undefined;
  const beatTone = beat === undefined ? undefined : beat > 40 ? "bad" : beat > 15 ? "wait" : "ok";
  const common = (kind: string) => ({ id: `${kind}-${name}`, plane: "dp" as const, open: p.open.has(`${kind}-${name}`), onToggle: p.toggle, explanation: t(`x-${kind}`) });
  // A partitioned machine keeps running its containers (only its link is cut); a stopped one runs nothing.
  const off = state === "stopped";
  return (
    <div class={`node-col ${state}`} data-testid={`arch-node-${name}`}>
      <Link label={state === "partitioned" ? t("linkNodeCut") : state === "stopped" ? t("linkNodeOff") : t("linkNode")} to="kube-apiserver" state={state === "partitioned" ? "cut" : state === "stopped" ? "off" : "ok"} testid={`link-node-${name}`} />
      <div class={`node-box ${state}`}>
        <div class="node-head">
          <strong class="node-name">{name}</strong>
          <span class={`badge ${state === "running" ? "ok" : "bad"}`}>{t("machine")}: {t(state)}</span>
          {ready && <span class={`badge ${ready === "True" ? "ok" : ready === "Unknown" ? "wait" : "bad"}`}>{ready === "True" ? t("ready") : ready === "Unknown" ? t("unknown") : t("notReady")}</span>}
          {cordoned && <span class="badge wait">{t("cordoned")}</span>}
          {machine && <span class="muted small">{machine.instanceType} · {machine.zone}</span>}
        </div>
        <Part {...common("kubelet")} title="kubelet" dim={off} signature={`${kubelet?.lastHeartbeat ?? ""}/${state}`}>
          <div class="nums">
            <Num value={beat === undefined ? t("never") : t("ago", { s: beat })} label={t("heartbeat")} tone={beatTone} />
            <Num value={kubelet?.pods ?? p.pods.length} label={t("pods")} />
          </div>
        </Part>
        <Part {...common("kube-proxy")} title="kube-proxy" dim={off} signature={`${stats?.proxy.rulesPerNode ?? 0}`}>
          {stats && <div class="nums">
            <Num value={stats.proxy.rulesPerNode} label={t("rules")} />
            <Num value={stats.proxy.services} label={t("services")} />
            <Num value={stats.proxy.endpoints} label={t("endpoints")} />
          </div>}
        </Part>
        <Link label={t("cri")} cls="cri" />
        <Part {...common("container-runtime")} title="container runtime" dim={off} signature={`${running.length}/${containers}`}>
          <div class="nums">
            <Num value={containers} label={t("containers")} />
            <Num value={running.length} label={t("podsRunning")} />
          </div>
        </Part>
        <div class="pods-row" aria-label={t("podsOnNode", { n: p.pods.length })}>
          <span class="muted small">{t("podsOnNode", { n: p.pods.length })}</span>
          <div class="dots">
            {p.pods.slice(0, MAX_DOTS).map((pod) => {
              const st = podStatus(pod);
              return (
                <button key={pod.metadata.uid} class={`dot ${statusClass(st)}`} title={`${pod.metadata.namespace}/${pod.metadata.name} · ${st}`} aria-label={t("openPod", { name: pod.metadata.name ?? "" })}
                  onClick={() => p.onPod(pod.metadata.namespace ?? "default", pod.metadata.name ?? "")} />
              );
            })}
            {p.pods.length > MAX_DOTS && <span class="muted small">+{p.pods.length - MAX_DOTS}</span>}
          </div>
        </div>
      </div>
    </div>
  );
}

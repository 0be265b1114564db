// The v1 PodStatus the kubelet reports (generateAPIPodStatus): phase from container states (getPhase),
// the kubelet-owned conditions (status/generate.go) and container statuses, so that the API server's
// pod printer computes the real STATUS texts (ContainerCreating, Init:1/2, CrashLoopBackOff, ...).

import type { Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from "../../control-plane/api-server/objects/core";
import { arr, defaultWaiting, specOf } from "./sync-ctx";
import type { ContainerRecord, PodRecord, RunRecord } from "./state";
import type { NodeConfig } from "./types";

/** A container status as the kubelet reports it: always with a state. */
type Reported = ContainerStatus & { state: ContainerState };

const KUBELET_CONDITIONS = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

/** metav1.Time: RFC 3339 at second precision. */
export const time = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

function terminated(run: RunRecord): ContainerStateTerminated {
  return {
    containerID: `containerd://${run.id}`,
    exitCode: run.exitCode ?? 0,
    finishedAt: time(run.finishedAt ?? run.startedAt),
    ...(run.message ? { message: run.message } : {}),
    reason: run.reason ?? (run.exitCode === 0 ? "Completed" : "Error"),
    startedAt: time(run.startedAt),
  };
}

function containerStatus(rec: PodRecord, c: ContainerRecord, spec: Partial<Container>): Reported {
  const run = c.current;
  let state: ContainerState;
  let lastState: ContainerState = {};
  const prevTerm = c.previous ? { terminated: terminated(c.previous) } : {};
  if (run && c.stage === "running") {
    state = { running: { startedAt: time(run.startedAt) } };
    lastState = prevTerm;
  } else if (run && run.finishedAt !== null && c.waiting && c.stage !== "exited") {
    // Back-off (or a failing pull for the restart): waiting, with the run that ended as lastState.
    state = { waiting: { ...c.waiting } };
    lastState = { terminated: terminated(run) };
  } else if (run && run.finishedAt !== null) {
    // Exited (and not restarted yet): the runtime's newest container is the terminated one.
    state = { terminated: terminated(run) };
    lastState = prevTerm;
  } else {
    state = { waiting: c.waiting ? { ...c.waiting } : { reason: defaultWaiting(rec) } };
  }
  const out: Reported = {
    name: c.name,
    state,
    lastState,
    ready: c.ready && c.stage === "running" ? true : c.init && !c.sidecar ? c.ready : false,
    restartCount: c.restartCount,
    image: run ? run.image : String(spec.image ?? ""),
    imageID: run ? run.imageID : "",
    ...(run ? { containerID: `containerd://${run.id}` } : {}),
    started: c.stage === "running" && c.started,
  };
  const mounts = arr(spec.volumeMounts);
  if (mounts.length > 0) {
    out.volumeMounts = mounts.map((m) => ({
      mountPath: m.mountPath,
      name: m.name,
      ...(m.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
    }));
  }
  return out;
}

/** kubelet_pods.go getPhase. */
export function podPhase(pod: Pod, rec: PodRecord, init: Reported[], regular: Reported[]): PodPhase {
  const podIsTerminal = rec.finished && !!rec.terminating;
  let pendingInit = 0;
  let failedInit = 0;
  for (let i = 0; i < rec.init.length; i++) {
    const c = rec.init[i];
    const s = init[i];
    if (c.sidecar) {
      if (!s?.started && !rec.containers.some((x) => x.current)) pendingInit++;
      continue;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of regular) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && rec.restartPolicy === "Never") return "Failed";
  if ((pendingInit > 0 && !podIsTerminal) || waiting > 0) {
    if (podIsTerminal) return stopped === succeeded && stopped > 0 ? "Succeeded" : "Failed";
    return "Pending";
  }
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (rec.restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (rec.restartPolicy === "Never") return "Failed";
    return "Running";
  }
  if (podIsTerminal) return "Failed";
  void pod;
  return "Pending";
}

const goList = (names: string[]) => `[${names.join(" ")}]`;

type Cond = { type: string; status: "True" | "False"; reason?: string; message?: string };

function kubeletConditions(pod: Pod, rec: PodRecord, init: Reported[], regular: Reported[], phase: PodPhase): Cond[] {
  const out: Cond[] = [];
  out.push({ type: "PodReadyToStartContainers", status: rec.sandboxUp ? "True" : "False" });

  // Initialized
  const incomplete = rec.init.filter((c, i) => (c.sidecar ? !init[i]?.started : !init[i]?.ready)).map((c) => c.name);
  const anyRegularStarted = rec.containers.some((c) => c.current !== null);
  if (phase === "Succeeded") out.push({ type: "Initialized", status: "True", reason: "PodCompleted" });
  else if (anyRegularStarted || incomplete.length === 0) out.push({ type: "Initialized", status: "True" });
  else out.push({ type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: ${goList(incomplete)}` });

  // ContainersReady, then Ready (which also needs the readiness gates)
  let containersReady: Cond;
  const unready = [
    ...rec.init.filter((c, i) => c.sidecar && !init[i]?.ready).map((c) => c.name),
    ...regular.filter((s) => !s.ready).map((s) => s.name),
  ];
  if (phase === "Succeeded") containersReady = { type: "ContainersReady", status: "False", reason: "PodCompleted" };
  else if (phase === "Failed") containersReady = { type: "ContainersReady", status: "False", reason: "PodFailed" };
  else if (unready.length > 0) containersReady = { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: `containers with unready status: ${goList(unready)}` };
  else containersReady = { type: "ContainersReady", status: "True" };

  let ready: Cond = { ...containersReady, type: "Ready" };
  if (containersReady.status === "True") {
    const msgs: string[] = [];
    const conds = arr(pod.status?.conditions);
    for (const g of arr(pod.spec?.readinessGates)) {
      const c = conds.find((x) => x?.type === g?.conditionType);
      if (!c) msgs.push(`corresponding condition of pod readiness gate ${JSON.stringify(g?.conditionType)} does not exist.`);
      else if (c.status !== "True") msgs.push(`the status of pod readiness gate ${JSON.stringify(g?.conditionType)} is not "True", but ${c.status}`);
    }
    if (msgs.length > 0) ready = { type: "Ready", status: "False", reason: "ReadinessGatesNotReady", message: msgs.join(", ") };
  }
  out.push(ready, containersReady);
  return out;
}

/** The full status to report at `now`. Updates the record's condition transition times. */
export function buildStatus(cfg: NodeConfig, rec: PodRecord, pod: Pod, now: number): PodStatus & { containerStatuses: Reported[] } {
  const init = rec.init.map((c) => containerStatus(rec, c, specOf(pod, c)));
  const regular = rec.containers.map((c) => containerStatus(rec, c, specOf(pod, c)));
  const phase = podPhase(pod, rec, init, regular);
  const conditions: PodCondition[] = [];
  for (const c of kubeletConditions(pod, rec, init, regular, phase)) {
    const prev = rec.conditions[c.type];
    const at = prev && prev.status === c.status ? prev.at : now;
    rec.conditions[c.type] = { status: c.status, reason: c.reason, message: c.message, at };
    conditions.push({ lastProbeTime: null, lastTransitionTime: time(at), ...(c.message ? { message: c.message } : {}), ...(c.reason ? { reason: c.reason } : {}), status: c.status, type: c.type });
  }
  const old: PodStatus = pod.status ?? {};
  for (const c of arr(old.conditions)) if (!KUBELET_CONDITIONS.includes(c?.type)) conditions.push(c);

  const status: Record<string, unknown> = { ...old };
  for (const k of ["phase", "conditions", "hostIP", "hostIPs", "podIP", "podIPs", "startTime", "initContainerStatuses", "containerStatuses", "message", "reason"]) delete status[k];
  return {
    phase,
    conditions,
    hostIP: cfg.internalIP,
    hostIPs: [{ ip: cfg.internalIP }],
    ...(rec.podIP ? { podIP: rec.podIP, podIPs: [{ ip: rec.podIP }] } : {}),
    startTime: time(rec.admittedAt),
    ...(rec.init.length > 0 ? { initContainerStatuses: init } : {}),
    containerStatuses: regular,
    ...status,
  };
}

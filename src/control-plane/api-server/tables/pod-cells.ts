// A pod's row as kubectl prints it (printPod), apart from the column definitions, so the web
// client can show exactly kubectl's STATUS and READY without bundling the column docs.
import type { Container, ContainerStatus, Pod, PodCondition } from "../objects/core";
import { age, arr, humanDuration, int, nameOf, NONE, parseTime } from "./format";

const isRestartable = (c: Container | undefined): boolean => c?.restartPolicy === "Always";

function conditionTrue(conditions: PodCondition[], type: string): boolean {
  return conditions.some((c) => c?.type === type && c?.status === "True");
}

/** isPodInitializedConditionTrue: the first Initialized condition decides. */
function initializedTrue(conditions: PodCondition[]): boolean {
  const c = conditions.find((x) => x?.type === "Initialized");
  return c?.status === "True";
}

/** Termination time of a container's last run, 0 when there is none (Go's zero time). */
function lastTerminated(status: ContainerStatus | undefined): number {
  return parseTime(status?.lastState?.terminated?.finishedAt) ?? 0;
}

export function podCells(pod: Pod, now: number): unknown[] {
  const spec: Partial<Pod["spec"]> = pod.spec ?? {};
  const status: NonNullable<Pod["status"]> = pod.status ?? {};
  const conditions = arr(status.conditions);
  const initSpecs = arr(spec.initContainers);
  const phase: string = status.phase ?? "";

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  let reason: string = status.reason ? status.reason : phase;
  // A pod held by scheduling gates says so instead of Pending.
  for (const c of conditions) {
    if (c?.type === "PodScheduled" && c?.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initByName = new Map<string, Container>();
  for (const c of initSpecs) {
    initByName.set(c?.name, c);
    if (isRestartable(c)) totalContainers++; // sidecars count as containers
  }

  // Walk init containers until the first one that has not finished; it names the status.
  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartable(initByName.get(cs?.name));
    restarts += int(cs?.restartCount);
    const finished = lastTerminated(cs);
    if (finished > lastRestart) lastRestart = finished;
    if (sidecar) {
      restartableInitRestarts += int(cs?.restartCount);
      if (finished > lastRestartableInitRestart) lastRestartableInitRestart = finished;
    }
    const terminated = cs?.state?.terminated;
    const waiting = cs?.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (sidecar && cs?.started === true) {
      if (cs?.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting && waiting.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(conditions)) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    // Backwards, so the first container with a waiting/terminated reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs?.restartCount);
      const finished = lastTerminated(cs);
      if (finished > lastRestart) lastRestart = finished;
      const waiting = cs?.state?.waiting;
      const terminated = cs?.state?.terminated;
      if (waiting && waiting.reason) {
        reason = waiting.reason;
      } else if (terminated && terminated.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (cs?.ready && cs?.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Some containers finished but one still runs: the pod is Running, or NotReady if not Ready.
    if (reason === "Completed" && hasRunning) {
      reason = conditionTrue(conditions, "Ready") ? "Running" : "NotReady";
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating";
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;

  // Wide columns (the server always fills them).
  const podIP: string = status.podIP || arr(status.podIPs)[0]?.ip || NONE;
  const nodeName: string = spec.nodeName || NONE;
  const nominated: string = status.nominatedNodeName || NONE;
  let gates = NONE;
  const readinessGates = arr(spec.readinessGates);
  if (readinessGates.length > 0) {
    let ok = 0;
    for (const g of readinessGates) {
      const c = conditions.find((x) => x?.type === g?.conditionType);
      if (c?.status === "True") ok++;
    }
    gates = `${ok}/${readinessGates.length}`;
  }

  return [nameOf(pod), `${readyContainers}/${totalContainers}`, reason, restartsText, age(pod, now), podIP, nodeName, nominated, gates];
}

// Resource arithmetic in scheduler units (cpu millicores, bytes, counts) and the pod's effective requests
// as resourcehelper.PodRequests computes them.
import type { Container, PodSpec } from "../api-server/objects/core";
import { parseQuantity } from "../api-server/quantity";

/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: what scoring assumes for a container without requests. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Resource amounts in scheduler units: cpu in millicores, everything else in whole units. */
export interface Resources { cpu: number; memory: number; ephemeral: number; scalar: Record<string, number> | null }

// Quantities repeat ("100m", "128Mi"): parse each string once (parseQuantity is exact but uses BigInt).
const qCache = new Map<string, { value: number; millis: number }>();
export function q(v: unknown): { value: number; millis: number } | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const k = typeof v === "number" ? `#${v}` : v;
  let r = qCache.get(k);
  if (r === undefined) {
    const p = parseQuantity(v);
    if (!p) return undefined;
    r = { value: Math.ceil(p.value), millis: p.millis };
    if (qCache.size > 10000) qCache.clear();
    qCache.set(k, r);
  }
  return r;
}

/** A resource name the scheduler tracks as a scalar (extended resources, hugepages, attachable volumes). */
function isScalar(name: string): boolean {
  return name.includes("/") || name.startsWith("hugepages-");
}

export function emptyResources(): Resources {
  return { cpu: 0, memory: 0, ephemeral: 0, scalar: null };
}

export function addList(r: Resources, list: Record<string, unknown> | undefined): void {
  if (!list) return;
  for (const k in list) {
    const v = q(list[k]);
    if (!v) continue;
    if (k === "cpu") r.cpu += v.millis;
    else if (k === "memory") r.memory += v.value;
    else if (k === "ephemeral-storage") r.ephemeral += v.value;
    else if (isScalar(k)) (r.scalar ??= {})[k] = (r.scalar[k] ?? 0) + v.value;
  }
}

export function addRes(r: Resources, o: Resources): void {
  r.cpu += o.cpu; r.memory += o.memory; r.ephemeral += o.ephemeral;
  if (o.scalar) for (const k in o.scalar) (r.scalar ??= {})[k] = (r.scalar[k] ?? 0) + o.scalar[k];
}

function maxRes(r: Resources, o: Resources): void {
  r.cpu = Math.max(r.cpu, o.cpu); r.memory = Math.max(r.memory, o.memory); r.ephemeral = Math.max(r.ephemeral, o.ephemeral);
  if (o.scalar) for (const k in o.scalar) (r.scalar ??= {})[k] = Math.max(r.scalar[k] ?? 0, o.scalar[k]);
}

export function cloneRes(r: Resources): Resources {
  return { cpu: r.cpu, memory: r.memory, ephemeral: r.ephemeral, scalar: r.scalar ? { ...r.scalar } : null };
}


/**
 * resourcehelper.PodRequests: containers summed; restartable (sidecar) init containers add to the sum and
 * to every later init container; the result is the max of that and the largest init step; plus overhead.
 * With `nonMissing`, a container that omits cpu/memory counts 100m/200Mi (scoring's non-zero requests).
 */
export function podRequests(spec: PodSpec | undefined, nonMissing = false): Resources {
  const reqOf = (c: Container): Resources => {
    const r = emptyResources();
    const list = c?.resources?.requests as Record<string, unknown> | undefined;
    addList(r, list);
    if (nonMissing) {
      if (!list || !("cpu" in list)) r.cpu += DEFAULT_MILLI_CPU_REQUEST;
      if (!list || !("memory" in list)) r.memory += DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  const total = emptyResources();
  for (const c of spec?.containers ?? []) addRes(total, reqOf(c));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec?.initContainers ?? []) {
    let step = reqOf(c);
    if (c?.restartPolicy === "Always") {
      addRes(total, step);
      addRes(sidecars, step);
      step = cloneRes(sidecars);
    } else {
      addRes(step, sidecars);
    }
    maxRes(initMax, step);
  }
  maxRes(total, initMax);
  addList(total, spec?.overhead);
  return total;
}


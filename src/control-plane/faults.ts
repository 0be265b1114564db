// Containment, after k8s.io/apimachinery/pkg/util/runtime (HandleError / HandleCrash): a fault in
// handling one object is recorded and the caller goes on with the others. The record is bounded
// (counters per component, a ring of the latest faults) so a classroom that keeps failing the same
// way costs a fixed amount of memory, and each fault is logged once as a single line.

/** Where in a component the fault happened. */
export type FaultStage = "informer" | "list" | "reconcile" | "cycle" | "run";

export interface Fault {
  /** e.g. "kube-controller-manager/replicaset", "kube-scheduler", "kubelet". */
  component: string;
  stage: FaultStage;
  /** The object or work item: an etcd key, "namespace/name", "node:node-1". */
  key: string;
  message: string;
  /** Simulated ms. */
  at: number;
}

export interface FaultReport {
  total: number;
  byComponent: Record<string, number>;
  /** Latest last. */
  recent: Fault[];
}

export const RECENT_FAULTS = 50;
export const MAX_FAULT_COMPONENTS = 64;
const MAX_MESSAGE = 300;
const MAX_ONCE_IDS = 256;
/** Counts for components beyond MAX_FAULT_COMPONENTS go here, so the map stays bounded. */
export const OTHER_COMPONENT = "other";

export function errorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE)}…` : m;
}

export class FaultLog {
  /** Faults per component since start-up. */
  readonly counts = new Map<string, number>();
  private readonly ring: Fault[] = [];
  private readonly once = new Set<string>();
  total = 0;

  constructor(private readonly log: (line: string) => void = (line) => console.warn(line)) {}

  record(component: string, stage: FaultStage, key: string, err: unknown, at: number): Fault {
    const f: Fault = { component, stage, key: key.slice(0, 256), message: errorMessage(err), at };
    this.total++;
    const counted = this.counts.has(component) || this.counts.size < MAX_FAULT_COMPONENTS - 1 ? component : OTHER_COMPONENT;
    this.counts.set(counted, (this.counts.get(counted) ?? 0) + 1);
    this.ring.push(f);
    if (this.ring.length > RECENT_FAULTS) this.ring.splice(0, this.ring.length - RECENT_FAULTS);
    this.log(`fault: ${f.component} ${f.stage} ${f.key}: ${f.message}`);
    return f;
  }

  /**
   * Records a fault about something seen again and again unchanged (a stored object that cannot
   * be decoded, met on every list) only the first time; `id` names it, e.g. key@modRevision.
   */
  recordOnce(id: string, component: string, stage: FaultStage, key: string, err: unknown, at: number): void {
    if (this.once.has(id)) return;
    this.once.add(id);
    // Sets iterate in insertion order: dropping the first entry forgets the oldest.
    if (this.once.size > MAX_ONCE_IDS) this.once.delete(this.once.values().next().value as string);
    this.record(component, stage, key, err, at);
  }

  recent(): Fault[] {
    return [...this.ring];
  }

  report(): FaultReport {
    return { total: this.total, byComponent: Object.fromEntries(this.counts), recent: this.recent() };
  }

  /** Sizes of the bounded structures, for tests of the bounds. */
  sizes(): { counts: number; recent: number; once: number } {
    return { counts: this.counts.size, recent: this.ring.length, once: this.once.size };
  }
}

/** Several components' reports as one: totals summed, the latest RECENT_FAULTS faults by time. */
export function mergeFaultReports(reports: FaultReport[]): FaultReport {
  const byComponent: Record<string, number> = {};
  let total = 0;
  const recent: Fault[] = [];
  for (const r of reports) {
    total += r.total;
    for (const [c, n] of Object.entries(r.byComponent)) byComponent[c] = (byComponent[c] ?? 0) + n;
    recent.push(...r.recent);
  }
  recent.sort((a, b) => a.at - b.at);
  return { total, byComponent, recent: recent.slice(-RECENT_FAULTS) };
}

/** client-go-style exponential back-off: base doubling per failure, capped. */
export function backoff(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, failures - 1), 40));
}

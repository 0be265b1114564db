// The scheduling framework's shared pieces (pkg/scheduler/framework: interface.go, cycle_state.go): statuses,
// the per-cycle state plugins read and write through typed keys, the plugin interfaces by extension point,
// and the score helpers several plugins share. It knows no plugin: each plugin file declares its own state
// keys and exports its plugin, and plugins/registry.ts lists them in the default profile's order.
import type { ClusterSnapshot, NodeInfo, PodInfo } from "./snapshot";
import type { SchedulerProfile } from "./profile";

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** Status codes that matter to the outcome (framework.Code). */
export const UNSCHEDULABLE = 2;
/** Preemption cannot help on a node rejected with this code. */
export const UNRESOLVABLE = 3;

export interface Status { plugin: string; code: number; reasons: string[]; message: string }

// Statuses are interned: filters return the same object for the same verdict, so the hot path allocates nothing.
const interned = new Map<string, Status>();
export function status(plugin: string, code: number, ...reasons: string[]): Status {
  const key = `${plugin}\x00${code}\x00${reasons.join("\x00")}`;
  let s = interned.get(key);
  if (!s) {
    if (interned.size > 50000) interned.clear();
    interned.set(key, (s = { plugin, code, reasons, message: reasons.join(", ") }));
  }
  return s;
}

declare const stateType: unique symbol;

/**
 * A typed slot of CycleState (framework.StateKey), made once per plugin state by stateKey. `clone` copies the
 * value for a dry run that changes it (CycleState.Clone: a state PreFilterExtensions updates through addPod /
 * removePod must have one); a key without it shares its value between the copies, as an immutable
 * StateData whose Clone returns itself.
 */
export interface StateKey<T> {
  readonly name: string;
  /** The key's place in CycleState.slots. */
  readonly index: number;
  clone?(value: T): T;
  /** Carries T only for the type checker. */
  readonly [stateType]?: T;
}

/** Every key made, by index: cloneCycle finds each slot's clone here. */
const keys: StateKey<unknown>[] = [];

export function stateKey<T>(name: string, clone?: (value: T) => T): StateKey<T> {
  const key: StateKey<T> = clone ? { name, index: keys.length, clone } : { name, index: keys.length };
  keys.push(key);
  return key;
}

/** State of one scheduling attempt, shared by the plugins (framework.CycleState). */
export class CycleState {
  readonly pod: PodInfo;
  readonly snapshot: ClusterSnapshot;
  readonly profile: SchedulerProfile;
  /**
   * The plugins' states, by key: upstream's map from key to state, held as an array indexed by StateKey.index
   * (a read is one indexed load on the scheduling loop's path); undefined where the plugin skipped this pod or
   * has not run yet.
   */
  private readonly slots: unknown[];

  constructor(pod: PodInfo, snapshot: ClusterSnapshot, profile: SchedulerProfile, slots: unknown[] = new Array(keys.length)) {
    this.pod = pod;
    this.snapshot = snapshot;
    this.profile = profile;
    this.slots = slots;
  }

  /** CycleState.Read: the value written under `key` in this cycle, undefined when none was. */
  read<T>(key: StateKey<T>): T | undefined {
    return this.slots[key.index] as T | undefined;
  }

  /** CycleState.Write. */
  write<T>(key: StateKey<T>, value: NoInfer<T>): void {
    this.slots[key.index] = value;
  }

  /** CycleState.Clone: a copy for a dry run (preemption, nominated pods), each state copied by its key's clone. */
  clone(): CycleState {
    const slots = this.slots.slice();
    for (let i = 0; i < slots.length; i++) {
      const clone = keys[i].clone;
      if (clone && slots[i] !== undefined) slots[i] = clone(slots[i]);
    }
    return new CycleState(this.pod, this.snapshot, this.profile, slots);
  }
}

export interface PreFilterResult { status?: Status; nodeNames?: Set<string> }

/** A node's filter verdict in this cycle; undefined when the node was not evaluated (PreFilter left it out). */
export type NodeStatus = (ni: NodeInfo) => Status | undefined;
/** The profile's filters as the framework runs them, with nominated pods (RunFilterPluginsWithNominatedPods). */
export type RunFilters = (c: CycleState, ni: NodeInfo) => Status | null;
export interface PostFilterResult { nominatedNode?: string; victims?: PodInfo[]; message: string }

/** A plugin: its name and the extension points it implements (framework.Plugin and the *Plugin interfaces). */
export interface Plugin {
  readonly name: string;
  preFilter?(c: CycleState): PreFilterResult | undefined;
  filter?(c: CycleState, ni: NodeInfo): Status | null;
  /** PreFilterExtensions: keep the plugin's cycle state right when a pod is added to or removed from a node. */
  addPod?(c: CycleState, p: PodInfo, ni: NodeInfo): void;
  removePod?(c: CycleState, p: PodInfo, ni: NodeInfo): void;
  /** When no node fits; `absent` is the status of the nodes nodeStatus does not know. */
  postFilter?(c: CycleState, nodeStatus: NodeStatus, absent: Status | null, filters: FilterPlugin[], run: RunFilters, now: number, rand: () => number): PostFilterResult;
  /** false: skip this plugin for this pod (framework.Skip). */
  preScore?(c: CycleState, feasible: NodeInfo[]): boolean;
  score?(c: CycleState, ni: NodeInfo): number;
  normalize?(c: CycleState, nodes: NodeInfo[], scores: Float64Array, n: number): void;
}

export type FilterPlugin = Plugin & Required<Pick<Plugin, "filter">>;
export type ScorePlugin = Plugin & Required<Pick<Plugin, "score">>;
export type PostFilterPlugin = Plugin & Required<Pick<Plugin, "postFilter">>;
export const isFilterPlugin = (p: Plugin): p is FilterPlugin => p.filter !== undefined;
export const isScorePlugin = (p: Plugin): p is ScorePlugin => p.score !== undefined;
export const isPostFilterPlugin = (p: Plugin): p is PostFilterPlugin => p.postFilter !== undefined;

/** Every plugin gets the same shape (each extension point present, undefined when not implemented): the scheduling loop's property reads stay monomorphic. */
export function definePlugin(p: Plugin): Plugin {
  return {
    name: p.name, preFilter: p.preFilter, filter: p.filter, addPod: p.addPod, removePod: p.removePod, postFilter: p.postFilter,
    preScore: p.preScore, score: p.score, normalize: p.normalize,
  };
}

/** helper.DefaultNormalizeScore: scale to [0, max] by the highest score, optionally reversed. */
export function defaultNormalizeScore(scores: Float64Array, n: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) for (let i = 0; i < n; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}

/** Go's integer division for non-negative or mixed-sign int64s (truncates toward zero). */
export const idiv = (a: number, b: number): number => Math.trunc(a / b);

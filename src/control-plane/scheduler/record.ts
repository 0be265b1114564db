// SchedulingRecord: what one attempt saw and decided. Built lazily from compact arrays so that the hot
// path does not allocate an object per node and plugin; JSON.stringify materializes it via toJSON().
import type { Pod } from "../api-server/objects/core";
import type { Status } from "./framework";

export interface FilterVerdict { node: string; plugin: string; reason: string }
export interface ScoreEntry { node: string; plugin: string; raw: number; normalized: number; weight: number; weighted: number }
export interface PodRef { namespace: string; name: string; uid: string }
export interface SchedulingRecord {
  pod: PodRef;
  at: number;
  feasible: string[];
  filtered: FilterVerdict[];
  scores: ScoreEntry[];
  totals: Record<string, number>;
  chosen?: string;
  message?: string;
  nominatedNode?: string;
  victims?: PodRef[];
  nodesEvaluated: number;
}

export const podRef = (p: Pod): PodRef => ({ namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "" });

export class LazyRecord implements SchedulingRecord {
  chosen?: string;
  message?: string;
  nominatedNode?: string;
  victims?: PodRef[];
  nodesEvaluated = 0;
  /** Names of feasible nodes, in score order. */
  feasible: string[] = [];
  failedNodes: string[] = [];
  failedStatuses: Status[] = [];
  /** Nodes that PreFilter excluded, with the status they all share. */
  absentNodes: string[] = [];
  absentStatus: Status | null = null;
  plugins: string[] = [];
  weights: number[] = [];
  raw: Float64Array | null = null;
  norm: Float64Array | null = null;
  totalScores: Float64Array | null = null;
  private _filtered?: FilterVerdict[];
  private _scores?: ScoreEntry[];
  private _totals?: Record<string, number>;

  constructor(readonly pod: PodRef, readonly at: number) {}

  get filtered(): FilterVerdict[] {
    if (!this._filtered) {
      const out: FilterVerdict[] = [];
      for (let i = 0; i < this.failedNodes.length; i++) {
        const s = this.failedStatuses[i];
        out.push({ node: this.failedNodes[i], plugin: s.plugin, reason: s.message });
      }
      if (this.absentStatus) for (const n of this.absentNodes) out.push({ node: n, plugin: this.absentStatus.plugin, reason: this.absentStatus.message });
      this._filtered = out;
    }
    return this._filtered;
  }
  set filtered(v: FilterVerdict[]) { this._filtered = v; }

  get scores(): ScoreEntry[] {
    if (!this._scores) {
      const out: ScoreEntry[] = [];
      const n = this.feasible.length;
      if (this.raw && this.norm) {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < this.plugins.length; j++) {
            const normalized = this.norm[j * n + i];
            out.push({ node: this.feasible[i], plugin: this.plugins[j], raw: this.raw[j * n + i], normalized, weight: this.weights[j], weighted: normalized * this.weights[j] });
          }
        }
      }
      this._scores = out;
    }
    return this._scores;
  }
  set scores(v: ScoreEntry[]) { this._scores = v; }

  get totals(): Record<string, number> {
    if (!this._totals) {
      const out: Record<string, number> = {};
      if (this.totalScores) for (let i = 0; i < this.feasible.length; i++) out[this.feasible[i]] = this.totalScores[i];
      this._totals = out;
    }
    return this._totals;
  }
  set totals(v: Record<string, number>) { this._totals = v; }

  toJSON(): SchedulingRecord {
    const o: SchedulingRecord = {
      pod: this.pod, at: this.at, feasible: this.feasible, filtered: this.filtered, scores: this.scores, totals: this.totals, nodesEvaluated: this.nodesEvaluated,
    };
    if (this.chosen !== undefined) o.chosen = this.chosen;
    if (this.message !== undefined) o.message = this.message;
    if (this.nominatedNode !== undefined) o.nominatedNode = this.nominatedNode;
    if (this.victims !== undefined) o.victims = this.victims;
    return o;
  }
}

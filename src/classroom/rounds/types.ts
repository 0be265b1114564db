// Shapes shared by the round modules: what the classroom feeds a round (committed cluster changes and
// refused student requests) and what a round is once stored.
import { ApiError, errors } from "../../control-plane/api-server/status";
import type { KubeObject, Status } from "../../control-plane/api-server/types";
import type { roundSettings } from "../live-state";
import { invalidField } from "../refusal";

/** One committed etcd change to a pod, node or core/v1 Event (the classroom filters out the rest). */
export interface ChangeEntry {
  kind?: "change";
  at: number; // simulated ms since the epoch
  rev: number;
  type: "PUT" | "DELETE";
  key: string; // /registry/pods/<ns>/<name>, /registry/nodes/<name>, /registry/events/<ns>/<name>
  object: KubeObject; // for DELETE, the last value
}

/** A student API request the server refused. */
export interface RefusalEntry {
  kind: "refusal";
  at: number;
  user: string; // e.g. "kubeclass:student:ana"
  code: number; // HTTP status
  reason: string; // metav1.Status reason: Invalid, BadRequest, Forbidden, TooManyRequests, ...
  message: string;
}

/** A student's write the API server accepted: what they submitted (created or changed). */
export interface SubmissionEntry {
  kind: "submission";
  at: number;
  user: string;
  object: string; // "<kind>/<namespace>/<name>", e.g. "Deployment/student-ana/web"
}

export type LogEntry = ChangeEntry | RefusalEntry | SubmissionEntry;

/** Entries about requests rather than cluster state: replay skips them. */
export function isRequest(e: LogEntry): e is RefusalEntry | SubmissionEntry {
  return e.kind === "refusal" || e.kind === "submission";
}

export function isRefusal(e: LogEntry): e is RefusalEntry {
  return e.kind === "refusal";
}

/** The pods and nodes live when a round started: replay starts from here. */
export interface ClusterState {
  pods: KubeObject[];
  nodes: KubeObject[];
}

export interface Round {
  n: number; // 1, 2, 3, … in start order
  title: string;
  goal: string | null;
  startedAt: number;
  endedAt: number | null; // null while running
  startRev: number;
  endRev: number | null;
  settings: RecordedSettings | null; // what the classroom recorded at start (scheduler profile, quota, speed, …)
  running: boolean;
  logEntries: number; // entries kept
  truncated: boolean; // the log hit its bound and later entries were dropped
  logPruned: boolean; // an old round: its log and start state were dropped, its outcomes kept
}

/**
 * A round's settings as read back: written by some version of live-state.ts's roundSettings, so any
 * part may be missing and others may be there (plain values or objects: no `unknown`, which RPC's
 * types cannot carry).
 */
export type RecordedSettings = Recorded<ReturnType<typeof roundSettings>> & { [key: string]: string | number | boolean | null | object | undefined };
type Recorded<T> = T extends readonly (infer U)[] ? Recorded<U>[] : T extends object ? { [K in keyof T]?: Recorded<T[K]> } : T;

/**
 * Refused: 400 bad input (answered 422 Invalid at the field it names, title or goal), 404 no such
 * round, 409 conflicts with the running round. An ApiError, so it is refused as every other
 * refusal of the classroom; its message stays the bare reason the store gives.
 */
export class RoundError extends ApiError {
  constructor(readonly code: 400 | 404 | 409, message: string) {
    super(roundStatus(code, message));
    this.message = message;
    this.name = "RoundError";
  }
}

function roundStatus(code: 400 | 404 | 409, message: string): Status {
  if (code === 409) return errors.conflictMessage(message).status;
  if (code === 404) return errors.notFoundMessage(message).status;
  return invalidField(message.startsWith("goal") ? "goal" : "title", message, "Round").status;
}

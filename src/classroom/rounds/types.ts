// Shapes shared by the round modules: what the classroom feeds a round (committed cluster changes and
// refused student requests) and what a round is once stored.
import type { KubeObject } from "../../control-plane/api-server/types";

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
  settings: unknown; // whatever the classroom recorded at start (scheduler profile, quota, speed, …)
  running: boolean;
  logEntries: number; // entries kept
  truncated: boolean; // the log hit its bound and later entries were dropped
  logPruned: boolean; // an old round: its log and start state were dropped, its outcomes kept
}

/** Refused with an HTTP status: 400 bad input, 404 no such round, 409 conflicts with the running round. */
export class RoundError extends Error {
  constructor(readonly code: 400 | 404 | 409, message: string) {
    super(message);
    this.name = "RoundError";
  }
}

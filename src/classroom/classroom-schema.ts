// A classroom object's own records (its settings and credentials), in append-only migrations,
// and the names the Worker and the object agree on.
import type { UserInfo } from "../control-plane/api-server/auth";

export interface ClassroomInit {
  id: string;
  name: string;
  nodes: number;
  speed?: number;
  /** false: on premises, no cloud-controller-manager (LoadBalancer Services stay pending). */
  cloud?: boolean;
  /** Every node this size; unset: sizes rotate. */
  size?: string;
  instructorTokenHash: string;
  joinTokenHash: string;
}

export interface ClassroomInfo {
  id: string;
  name: string;
  nodes: number;
  createdAt: string;
}

/** Header the Worker uses to hand over the caller's credential; never accepted from outside. */
export const TOKEN_HEADER = "x-kubeclass-token";
/** The Worker asks for a live socket with this host, which no forwarded API request ever has. */
export const LIVE_HOST = "live.kubeclass";
/** Header the Worker uses to hand over a live-feed ticket; never accepted from outside either. */
export const TICKET_HEADER = "x-kubeclass-ticket";
/** Header carrying the caller's address (Cloudflare sets it; a client cannot). */
export const CLIENT_HEADER = "cf-connecting-ip";
export const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CLASSROOM_MIGRATIONS = [
  {
    version: 1,
    statements: [
      "CREATE TABLE classroom (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE credentials (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL, groups TEXT NOT NULL, created_at TEXT NOT NULL)",
    ],
  },
  {
    version: 2,
    statements: [
      "CREATE TABLE scheduling_records (uid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, at INTEGER NOT NULL, record TEXT NOT NULL)",
      "CREATE INDEX scheduling_records_by_pod ON scheduling_records (namespace, name)",
      "CREATE TABLE nodes (name TEXT PRIMARY KEY, idx INTEGER NOT NULL, config TEXT NOT NULL, token_hash TEXT NOT NULL, state TEXT NOT NULL)",
    ],
  },
  // Trimming decision records to the newest ones walks them by time.
  { version: 3, statements: ["CREATE INDEX scheduling_records_by_at ON scheduling_records (at)"] },
];

export const INSTRUCTOR: UserInfo = { username: "kubeclass:instructor", groups: ["system:masters", "system:authenticated"] };
/** Who the join token is: no one in the cluster (it only lets a student sign up). */
export const JOIN: UserInfo = { username: "kubeclass:join", groups: [] };

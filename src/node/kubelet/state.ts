// The kubelet's persisted state: plain JSON, owned by the Node Durable Object between syncs.

import type { Behaviour } from "../container-runtime/behaviour";
import { keyedRandom } from "../container-runtime/hash";
import type { LogRun } from "../container-runtime/logs";
import type { BackoffEntry } from "./backoff";

export interface CachedImage {
  /** Tag names pulled (docker.io/library/nginx:latest) and digest names (repo@sha256:...). */
  names: string[];
  repoDigests: string[];
  sizeBytes: number;
  lastUsed: number;
}

export type ProbeKind = "startup" | "liveness" | "readiness";

export interface ProbeState {
  /** Next tick to run (absolute ms), null when no tick is needed until something changes. */
  nextAt: number | null;
  successes: number;
  failures: number;
  result: "success" | "failure" | "unknown";
  /** Liveness/startup failed and the container is being killed: no more probing of this run. */
  onHold: boolean;
}

/** One container run (a container id): what it runs and its log sources. */
export interface RunRecord extends LogRun {
  id: string;
  /** containerStatuses[].image and imageID. */
  image: string;
  imageID: string;
  exitCode: number | null;
  reason: string | null;
  message?: string;
}

export type Stage =
  | "waiting" // not started yet (its turn has not come)
  | "pulling" // Pulling image; `at` = pull end
  | "creating" // image present; `at` = started
  | "errImagePull" // pull failed; `at` = when the kubelet shows ImagePullBackOff
  | "imagePullBackOff" // `at` = back-off end, then pull again
  | "blocked" // ErrImageNeverPull / InvalidImageName: re-checked at every sync, no timer
  | "running" // `at` unused: exit, kill and probe timers are on the run/probes
  | "exited" // `at` = when the kubelet decides about a restart (null: it never restarts)
  | "crashBackOff"; // `at` = back-off end, then restart

export interface ContainerRecord {
  name: string;
  init: boolean;
  /** Restartable init container (sidecar). */
  sidecar: boolean;
  stage: Stage;
  at: number | null;
  waiting: { reason: string; message?: string } | null;
  /** The image as resolved for the current attempt. */
  pull?: { requestedAt: number; doneAt: number; ok: boolean; message?: string; imageId?: string; durationMs: number; createdAt: number; startedAt: number; size: number; imageName: string; repoDigest: string; alreadyPresent: boolean };
  imageBackoff: BackoffEntry | null;
  crashBackoff: BackoffEntry | null;
  restartCount: number;
  current: RunRecord | null;
  previous: RunRecord | null;
  /** A kill in progress: exits at exitAt with exitCode. */
  kill: { at: number; exitAt: number; exitCode: number; cause: "delete" | "liveness" | "startup" | "spec" } | null;
  probes: Partial<Record<ProbeKind, ProbeState>>;
  started: boolean;
  ready: boolean;
  /** The spec image the record was started for (a changed image restarts the container). */
  specImage: string;
}

export interface ConditionRecord {
  status: "True" | "False";
  reason?: string;
  message?: string;
  at: number;
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  admittedAt: number;
  sandboxReadyAt: number;
  sandboxUp: boolean;
  podIP: string | null;
  hostNetwork: boolean;
  restartPolicy: "Always" | "OnFailure" | "Never";
  init: ContainerRecord[];
  containers: ContainerRecord[];
  /** When the regular containers may start (all init containers done), null while initializing. */
  initDoneAt: number | null;
  /** Next init container start time when one is scheduled. */
  nextInitAt: number | null;
  terminating: { at: number; graceEndAt: number } | null;
  /** All containers stopped for good (terminal phase or deletion done). */
  finished: boolean;
  conditions: Record<string, ConditionRecord>;
  /** Fingerprint of the last status reported, to report only changes. */
  reported: string | null;
}

export interface KubeletState {
  version: 1;
  seed: number;
  /** When the node first registered (Node condition transition times). */
  bootAt: number | null;
  images: Record<string, CachedImage>;
  /** The serialized image puller is busy until then. */
  pullQueueFreeAt: number;
  ipam: { last: number; used: Record<string, string> };
  pods: Record<string, PodRecord>;
  /** Monotonic counter for container ids. */
  containerSeq: number;
  /** Pod syncs that threw (contained: see faults.ts): the count, and the newest FAULTS_KEPT. */
  faults?: { total: number; recent: { namespace: string; name: string; uid: string; at: number; message: string }[] };
  /** The last sync ran out of cpu (NODE_SYNC_WORK) before this pod: the next one starts with it. */
  resumeFrom?: string;
}

/** A deterministic draw in [0,1) for a key, mixed with the node's seed. */
export function rand(state: KubeletState, key: string): number {
  return keyedRandom(`${state.seed}|${key}`);
}

export const between = (state: KubeletState, key: string, lo: number, hi: number) => Math.round(lo + (hi - lo) * rand(state, key));

/** Copy a run without sharing arrays (state objects are cloned per sync). */
export type { Behaviour };

// kubeclass's API as the load tool drives it: classrooms, students, pods, deployments, instructor calls,
// the live feed. Over plain HTTP a credential rides in the path (/clusters/<id>/auth/<token>), as kubectl
// does with the kubeconfig kubeclass hands out.
import { delay, must, request, WebSocket } from "./lib.mjs";

/** The image every load pod runs: preloaded on every node (no simulated pull), as the sandbox image is. */
export const IMAGE = "registry.k8s.io/pause:3.10";
export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/**
 * @typedef {{ base: string, id: string, instructorToken: string, joinToken: string, api: (token?: string) => string, admin: string }} Classroom
 */

/** @returns {Promise<Classroom>} */
export async function createClassroom(base, body) {
  const r = await must(`${base}/api/classrooms`, { method: "POST", body: { name: "load", ...body }, timeoutMs: 120_000 });
  const c = r.json;
  const api = (token = c.instructorToken) => `${base}/clusters/${c.id}/auth/${token}`;
  return { base, id: c.id, instructorToken: c.instructorToken, joinToken: c.joinToken, api, admin: api() };
}

/** Polls the node list until `n` nodes are Ready (or the deadline); returns the seconds it took, or undefined. */
export async function nodesReady(c, n, timeoutMs = 90_000) {
  const took = await waitFor(async () => {
    const r = await request(`${c.admin}/api/v1/nodes`, { timeoutMs: 30_000 });
    const ready = (r.json?.items ?? []).filter((x) => x.status?.conditions?.some((k) => k.type === "Ready" && k.status === "True")).length;
    return ready >= n;
  }, timeoutMs, 1_000);
  return took === undefined ? undefined : took / 1000;
}

/** Instructor API call (bearer). */
export function instructor(c, method, path, body) {
  return must(`${c.base}/api/classrooms/${c.id}${path}`, { method, body, headers: { authorization: `Bearer ${c.instructorToken}` }, timeoutMs: 60_000 });
}

/** A student joins; answers { name, namespace, token }, or throws. */
export async function join(c, name) {
  const r = await request(`${c.base}/api/classrooms/${c.id}/students`, { method: "POST", body: { name }, headers: { authorization: `Bearer ${c.joinToken}` }, timeoutMs: 60_000 });
  if (r.status !== 201) throw new Error(`join ${name} -> ${r.status} ${r.error ?? ""} ${r.text.slice(0, 200)}`);
  return { name, namespace: r.json.namespace, token: r.json.token, status: r.status, ms: r.ms };
}

/** Joins n students (s000...), a bounded number at a time, retrying a 429/503 a few times (set-up, not measured). */
export async function joinMany(c, n, concurrency = 20, prefix = "s", deadline = Infinity) {
  const students = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      const name = `${prefix}${String(i).padStart(3, "0")}`;
      for (let attempt = 1; ; attempt++) {
        try {
          students[i] = await join(c, name);
          break;
        } catch (e) {
          if (attempt >= 5 || !/-> (429|503|0) /.test(String(e.message))) throw e;
          await delay(500 * attempt);
        }
      }
    }
  }));
  return students;
}

export function podManifest(name) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "load" } }, spec: { containers: [{ name: "c", image: IMAGE }] } };
}

/** POST a pod; the result of `request` (status, ms, ...). */
export function createPod(apiBase, namespace, name) {
  return request(`${apiBase}/api/v1/namespaces/${namespace}/pods`, { method: "POST", body: podManifest(name), timeoutMs: 60_000 });
}

export function deploymentManifest(name, replicas) {
  // What `kubectl create deployment <name> --image=... --replicas=n` sends: no resource requests.
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "pause", image: IMAGE }] } } },
  };
}

export function createDeployment(apiBase, namespace, name, replicas) {
  return must(`${apiBase}/apis/apps/v1/namespaces/${namespace}/deployments`, { method: "POST", body: deploymentManifest(name, replicas), timeoutMs: 60_000 });
}

/** readyReplicas of a Deployment (0 if unknown or the read failed), with the read's status and latency. */
export async function readyReplicas(apiBase, namespace, name) {
  const r = await request(`${apiBase}/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, { timeoutMs: 10_000 });
  return { ready: r.status === 200 ? (r.json?.status?.readyReplicas ?? 0) : 0, replicas: r.json?.status?.replicas ?? 0, status: r.status || r.error, ms: r.ms };
}

/** Counts Running pods cluster-wide (one list; bounded by a timeout). */
export async function runningPods(apiBase) {
  const r = await request(`${apiBase}/api/v1/pods?fieldSelector=status.phase%3DRunning`, { timeoutMs: 60_000 });
  return r.status === 200 ? (r.json?.items?.length ?? 0) : -1;
}

/** Polls until `check()` is true or the deadline; returns the ms it took or undefined on timeout. */
export async function waitFor(check, timeoutMs, intervalMs = 500) {
  const t0 = performance.now();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return performance.now() - t0;
    await delay(intervalMs);
  }
  return undefined;
}

/**
 * The URL to open a live feed for a member: a single-use ticket from POST .../live/ticket when the server
 * has it, else ?token= (older servers; accepted over plain HTTP only).
 */
export async function liveUrl(c, token) {
  const wsBase = c.base.replace(/^http/, "ws");
  const r = await request(`${c.base}/api/classrooms/${c.id}/live/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` }, timeoutMs: 60_000 });
  if (r.status === 200 || r.status === 201) return { url: `${wsBase}/api/classrooms/${c.id}/live?ticket=${encodeURIComponent(r.json.ticket)}`, via: "ticket" };
  if (r.status === 404) return { url: `${wsBase}/api/classrooms/${c.id}/live?token=${encodeURIComponent(token)}`, via: "token" };
  throw new Error(`live ticket -> ${r.status} ${r.error ?? ""} ${r.text.slice(0, 200)}`);
}

/**
 * Opens a WebSocket and records when it opened, its first message, and every message's arrival (time,
 * text) while `keep` is set (so a fan-out can be timed). Never rejects; `failed` says why it did not open.
 */
export function openSocket(url, { keepText = () => false } = {}) {
  const s = { ws: undefined, t0: performance.now(), openAt: undefined, firstAt: undefined, closedAt: undefined, failed: undefined, messages: 0, matches: [] };
  try {
    const ws = new WebSocket(url);
    s.ws = ws;
    ws.addEventListener("open", () => (s.openAt = performance.now()));
    ws.addEventListener("message", (ev) => {
      const at = performance.now();
      s.messages++;
      s.firstAt ??= at;
      const text = typeof ev.data === "string" ? ev.data : "";
      if (keepText(text)) s.matches.push(at);
    });
    ws.addEventListener("error", (ev) => (s.failed ??= String(ev?.error?.message ?? ev?.message ?? "error event")));
    ws.addEventListener("close", (ev) => { s.closedAt = performance.now(); if (s.openAt === undefined || s.firstAt === undefined) s.failed = `${s.failed ? s.failed + ", " : ""}closed ${ev.code}${ev.reason ? ` ${ev.reason}` : ""}`; });
  } catch (e) {
    s.failed = String(e);
  }
  return s;
}

export function closeAll(sockets) {
  for (const s of sockets) try { s.ws?.close(1000); } catch { /* closed */ }
}

/**
 * Creates a Deployment of `replicas` in default and polls its readyReplicas every second until all are
 * ready, `timeoutMs` passes or `alive()` turns false. Returns seconds to ready (undefined if not) and the
 * last readyReplicas seen, with a few progress points.
 */
export async function rollout(c, name, replicas, timeoutMs, alive = () => true) {
  await createDeployment(c.admin, "default", name, replicas);
  const t0 = performance.now();
  let ready = 0;
  const progress = [];
  const polls = [];
  let nextMark = 30;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const p = await readyReplicas(c.admin, "default", name);
    polls.push(p);
    ready = Math.max(ready, p.ready);
    const s = (performance.now() - t0) / 1000;
    if (s >= nextMark) { progress.push(`${ready} ready/${p.replicas} created@${nextMark}s`); nextMark += 30; }
    if (ready >= replicas) return { seconds: s, ready, progress, polls };
    await delay(1_000);
  }
  return { seconds: undefined, ready, progress, polls };
}

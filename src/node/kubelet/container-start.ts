// Starting a container: EnsureImageExists (pull policy, back-off, the serialized puller), then
// CreateContainer and StartContainer, with the events and messages the real kubelet records.

import { parseQuantity } from "../../control-plane/api-server/quantity";
import type { Container, EnvVar, Pod } from "../../control-plane/api-server/objects/core";
import { behaviourOf, type Behaviour } from "../container-runtime/behaviour";
import { hex64 } from "../container-runtime/hash";
import { parseImageRef, resolveImage } from "../container-runtime/images";
import { backoffNext, goDuration, inBackoffSinceUpdate } from "./backoff";
import { PROBE_USER_AGENT, TIMING } from "./config";
import { gatewayIP } from "./ipam";
import { httpTarget, initProbes, PROBE_KINDS, probeSpec } from "./probes";
import { between, type ContainerRecord, type PodRecord, type RunRecord } from "./state";
import { advanceInitAfter, arr, chainNext, emit, finishRun, hostnameOf, specOf, type SyncCtx } from "./sync-ctx";

/** A container that cannot start until its spec changes: the events once, then waiting with the reason. */
function block(ctx: SyncCtx, rec: PodRecord, c: ContainerRecord, t: number, wasBlocked: boolean, event: string, reason: string, msg: string): void {
  if (!wasBlocked) {
    emit(ctx, rec, c, "Warning", event, msg, t);
    emit(ctx, rec, c, "Warning", "Failed", `Error: ${reason}`, t);
  }
  c.stage = "blocked";
  c.at = null;
  c.waiting = { reason, message: msg };
  chainNext(rec, c, t);
}

/** EnsureImageExists + create + start, scheduled from t. */
export function beginStart(ctx: SyncCtx, rec: PodRecord, pod: Pod, c: ContainerRecord, t: number): void {
  const spec = specOf(pod, c);
  const image = String(spec.image ?? "");
  c.specImage = image;
  const ref = parseImageRef(image);
  const wasBlocked = c.stage === "blocked";
  c.waiting = null;
  if ("error" in ref) {
    block(ctx, rec, c, t, wasBlocked, "InspectFailed", "InvalidImageName", `Failed to apply default image tag ${JSON.stringify(image)}: ${ref.error}`);
    return;
  }
  const res = resolveImage(ref);
  const cached = res.ok && !!ctx.state.images[res.image.id]?.names.includes(res.image.tagName);
  const policy = spec.imagePullPolicy ?? (ref.tag === "latest" || (!ref.tag && !ref.digest) ? "Always" : "IfNotPresent");
  const create = between(ctx.state, `create|${rec.uid}|${c.name}|${t}`, TIMING.createMs, TIMING.createMs * 2);
  const startLat = between(ctx.state, `start|${rec.uid}|${c.name}|${t}`, TIMING.startMs, TIMING.startMs * 2);

  if (policy !== "Always" && cached && res.ok) {
    emit(ctx, rec, c, "Normal", "Pulled", `Container image ${JSON.stringify(image)} already present on machine`, t);
    ctx.state.images[res.image.id].lastUsed = t;
    c.pull = { requestedAt: t, doneAt: t, ok: true, imageId: res.image.id, durationMs: 0, createdAt: t + create, startedAt: t + create + startLat, size: res.image.sizeBytes, imageName: res.image.tagName, repoDigest: res.image.repoDigest, alreadyPresent: true };
    c.stage = "creating";
    c.at = c.pull.startedAt;
    return;
  }
  if (policy === "Never") {
    block(ctx, rec, c, t, wasBlocked, "ErrImageNeverPull", "ErrImageNeverPull", `Container image ${JSON.stringify(image)} is not present with pull policy of Never`);
    return;
  }
  if (inBackoffSinceUpdate(c.imageBackoff, t)) {
    c.stage = "imagePullBackOff";
    c.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image ${JSON.stringify(image)}` };
    c.at = c.imageBackoff!.lastUpdate + c.imageBackoff!.backoffMs;
    return;
  }
  emit(ctx, rec, c, "Normal", "Pulling", `Pulling image ${JSON.stringify(image)}`, t);
  const key = `pull|${rec.uid}|${c.name}|${t}`;
  let duration: number;
  if (!res.ok) duration = between(ctx.state, key, TIMING.pullFailMinMs, TIMING.pullFailMaxMs);
  else if (cached) duration = between(ctx.state, key, TIMING.manifestCheckMinMs, TIMING.manifestCheckMaxMs);
  else {
    const bw = TIMING.pullBandwidthMin + (TIMING.pullBandwidthMax - TIMING.pullBandwidthMin) * (between(ctx.state, `${key}|bw`, 0, 1000) / 1000);
    duration = between(ctx.state, `${key}|lat`, TIMING.pullLatencyMinMs, TIMING.pullLatencyMaxMs) + Math.round((res.image.sizeBytes / bw) * 1000);
  }
  // serializeImagePulls=true (the default): one pull at a time per node.
  const begin = Math.max(t, ctx.state.pullQueueFreeAt);
  const doneAt = begin + duration;
  ctx.state.pullQueueFreeAt = doneAt;
  c.pull = res.ok
    ? { requestedAt: t, doneAt, ok: true, imageId: res.image.id, durationMs: duration, createdAt: doneAt + create, startedAt: doneAt + create + startLat, size: res.image.sizeBytes, imageName: res.image.tagName, repoDigest: res.image.repoDigest, alreadyPresent: false }
    : { requestedAt: t, doneAt, ok: false, message: `rpc error: code = ${res.code} desc = ${res.message}`, durationMs: duration, createdAt: 0, startedAt: 0, size: 0, imageName: "", repoDigest: "", alreadyPresent: false };
  c.stage = "pulling";
  c.at = doneAt;
}

export function finishPull(ctx: SyncCtx, rec: PodRecord, c: ContainerRecord, t: number): void {
  const p = c.pull!;
  const image = c.specImage;
  if (!p.ok) {
    c.imageBackoff = backoffNext(c.imageBackoff, t, t);
    emit(ctx, rec, c, "Warning", "Failed", `Failed to pull image ${JSON.stringify(image)}: ${p.message}`, t);
    emit(ctx, rec, c, "Warning", "Failed", "Error: ErrImagePull", t);
    c.stage = "errImagePull";
    c.waiting = { reason: "ErrImagePull", message: p.message };
    c.at = t + TIMING.errImagePullShownMs;
    chainNext(rec, c, t);
    return;
  }
  const cached = (ctx.state.images[p.imageId!] ??= { names: [], repoDigests: [], sizeBytes: p.size, lastUsed: t });
  if (!cached.names.includes(p.imageName)) cached.names.push(p.imageName);
  if (!cached.repoDigests.includes(p.repoDigest)) cached.repoDigests.push(p.repoDigest);
  cached.lastUsed = t;
  emit(ctx, rec, c, "Normal", "Pulled", `Successfully pulled image ${JSON.stringify(image)} in ${goDuration(p.durationMs)} (${goDuration(t - p.requestedAt)} including waiting). Image size: ${p.size} bytes.`, t);
  c.stage = "creating";
  c.at = p.startedAt;
}

/** Container env as the program sees it (literal values; references are just "set"). */
export function containerEnv(rec: PodRecord, pod: Pod, spec: Partial<Container>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOSTNAME: hostnameOf(pod),
    KUBERNETES_SERVICE_HOST: "10.96.0.1",
    KUBERNETES_SERVICE_PORT: "443",
    KUBERNETES_SERVICE_PORT_HTTPS: "443",
    KUBERNETES_PORT: "tcp://10.96.0.1:443",
    KUBERNETES_PORT_443_TCP: "tcp://10.96.0.1:443",
    KUBERNETES_PORT_443_TCP_PROTO: "tcp",
    KUBERNETES_PORT_443_TCP_PORT: "443",
    KUBERNETES_PORT_443_TCP_ADDR: "10.96.0.1",
  };
  if (arr(spec.envFrom).length > 0) env.__ENVFROM = "1";
  for (const e of arr(spec.env)) {
    if (!e?.name) continue;
    if (typeof e.value === "string") env[e.name] = e.value.replace(/\$\((\w+)\)/g, (m: string, v: string) => env[v] ?? m);
    else if (e.valueFrom) env[e.name] = valueFrom(rec, pod, e.valueFrom);
    else env[e.name] = "";
  }
  return env;
}

export function valueFrom(rec: PodRecord, pod: Pod, vf: NonNullable<EnvVar["valueFrom"]>): string {
  const fp = vf.fieldRef?.fieldPath;
  if (fp === "metadata.name") return rec.name;
  if (fp === "metadata.namespace") return rec.namespace;
  if (fp === "metadata.uid") return rec.uid;
  if (fp === "status.podIP") return rec.podIP ?? "";
  if (fp === "spec.nodeName") return String(pod.spec?.nodeName ?? "");
  if (fp === "spec.serviceAccountName") return String(pod.spec?.serviceAccountName ?? "default");
  return "(set)";
}

export function limits(spec: Partial<Container>): { mem: number | null; cpu: number | null } {
  const l = spec.resources?.limits ?? {};
  const mem = l.memory !== undefined ? parseQuantity(l.memory)?.value ?? null : null;
  const cpu = l.cpu !== undefined ? parseQuantity(l.cpu)?.millis ?? null : null;
  return { mem, cpu };
}

export function startRun(ctx: SyncCtx, rec: PodRecord, pod: Pod, c: ContainerRecord, t: number): void {
  const spec = specOf(pod, c);
  const p = c.pull!;
  const ref = parseImageRef(c.specImage);
  const res = "error" in ref ? undefined : resolveImage(ref);
  const img = res?.ok ? res.image : undefined;
  const env = containerEnv(rec, pod, spec);
  const lim = limits(spec);
  const behaviour: Behaviour = behaviourOf({
    family: img?.family ?? "shell",
    repo: img?.ref.repo,
    tag: img?.ref.tag ?? "latest",
    entrypoint: img?.entrypoint ?? [],
    imageCmd: img?.cmd ?? [],
    command: Array.isArray(spec.command) ? spec.command.map(String) : undefined,
    args: Array.isArray(spec.args) ? spec.args.map(String) : undefined,
    env,
    stdin: spec.stdin === true,
    hostname: hostnameOf(pod),
    namespace: rec.namespace,
    memoryLimitBytes: lim.mem,
    cpuLimitMillis: lim.cpu,
    nodeMemoryBytes: ctx.cfg.memoryBytes,
    meter: ctx.work,
  });
  ctx.state.containerSeq++;
  const run: RunRecord = {
    id: hex64(`container|${ctx.state.seed}|${ctx.cfg.name}|${ctx.state.containerSeq}|${rec.uid}|${c.name}`),
    image: p.imageName,
    imageID: p.repoDigest,
    exitCode: null,
    reason: null,
    startedAt: t,
    finishedAt: null,
    behaviour,
    extra: [],
    requests: [],
    podIP: rec.podIP ?? "",
  };
  if (c.current) {
    c.previous = c.current;
    c.restartCount++;
  }
  c.current = run;
  c.waiting = null;
  c.kill = null;
  c.at = null;
  emit(ctx, rec, c, "Normal", "Created", `Created container: ${c.name}`, p.createdAt <= t ? p.createdAt : t);
  if (behaviour.startError) {
    emit(ctx, rec, c, "Warning", "Failed", `Error: ${behaviour.startError}`, t);
    c.stage = "running";
    finishRun(ctx, rec, c, t, 128, "StartError", behaviour.startError);
    chainNext(rec, c, t);
    return;
  }
  emit(ctx, rec, c, "Normal", "Started", `Started container ${c.name}`, t);
  c.stage = "running";
  initProbes(c, spec, rec.admittedAt, t);
  c.started = !c.probes.startup;
  // Init containers are ready only once they complete; sidecars and regular ones by readiness.
  c.ready = (!c.init || c.sidecar) && c.started && !c.probes.readiness;
  // Access-log lines for HTTP probes, rendered lazily from the probe grid.
  for (const kind of PROBE_KINDS) {
    const ps = probeSpec(spec, kind);
    const st = c.probes[kind];
    const target = ps && httpTarget(ps, arr(spec.ports));
    if (ps && st && target && st.nextAt !== null) {
      run.requests.push({ port: target.port, path: target.path, fromAt: st.nextAt, periodMs: ps.periodMs, untilAt: null, from: gatewayIP(ctx.cfg.podCIDR), userAgent: PROBE_USER_AGENT });
    }
  }
  chainNext(rec, c, t);
  if (c.sidecar && c.started) advanceInitAfter(rec, c, t);
}

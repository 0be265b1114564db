import { describe, expect, it } from "vitest";
import { behaviourOf, containerArgv, cpuAt, memoryAt, parseSize, type ContainerInput } from "../../../../src/node/container-runtime/behaviour";
import { hex64 } from "../../../../src/node/container-runtime/hash";
import { parseImageRef, resolveImage, type ImageRef } from "../../../../src/node/container-runtime/images";
import { formatLogs, runLines, type LogRun } from "../../../../src/node/container-runtime/logs";
import { execProbe, httpProbe, tcpProbe } from "../../../../src/node/container-runtime/network";
import { interpretScript } from "../../../../src/node/container-runtime/shell";
import { backoffNext, goDuration, inBackoffSince } from "../../../../src/node/kubelet/backoff";

const Mi = 1024 * 1024;
const ref = (s: string) => parseImageRef(s) as ImageRef;

function input(image: string, extra: Partial<ContainerInput> = {}): ContainerInput {
  const res = resolveImage(ref(image));
  if (!res.ok) throw new Error(res.message);
  return { family: res.image.family, repo: res.image.ref.repo, tag: res.image.ref.tag ?? "latest", entrypoint: res.image.entrypoint, imageCmd: res.image.cmd, env: {}, stdin: false, hostname: "pod", namespace: "default", memoryLimitBytes: null, cpuLimitMillis: null, ...extra };
}

describe("container runtime: images", () => {
  it("normalizes references as containerd does", () => {
    expect(ref("nginx").name).toBe("docker.io/library/nginx:latest");
    expect(ref("nginx:1.27").name).toBe("docker.io/library/nginx:1.27");
    expect(ref("bitnami/redis").name).toBe("docker.io/bitnami/redis:latest");
    expect(ref("registry.k8s.io/pause:3.10").name).toBe("registry.k8s.io/pause:3.10");
    expect(ref("localhost:5000/app:v1").repo).toBe("localhost:5000/app");
    expect(parseImageRef("Nginx")).toEqual({ error: 'couldn\'t parse image reference "Nginx": invalid reference format: repository name (library/Nginx) must be lowercase' });
  });

  it("resolves well-known images with sizes per tag; tags of one image share a digest", () => {
    const a = resolveImage(ref("nginx"));
    const b = resolveImage(ref("nginx:1.29.1"));
    const c = resolveImage(ref("nginx:alpine"));
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.image.repoDigest.split("@")[1]).toBe(b.image.repoDigest.split("@")[1]);
    expect(c.image.sizeBytes).toBeLessThan(a.image.sizeBytes);
    for (const img of ["httpd", "redis:7", "postgres:16", "mysql:8.0", "busybox:1.28", "alpine:3.20", "ubuntu:22.04", "python:3.12-slim", "node:20", "memcached", "registry.k8s.io/pause:3.10", "k8s.gcr.io/echoserver:1.4", "registry.k8s.io/e2e-test-images/agnhost:2.39", "hashicorp/http-echo", "polinux/stress", "vish/stress"]) {
      const r = resolveImage(ref(img));
      expect(r.ok, img).toBe(true);
    }
    // By digest: the digest of a known tag resolves.
    const byDigest = resolveImage(ref(`nginx@${a.image.repoDigest.split("@")[1]}`));
    expect(byDigest.ok).toBe(true);
  });

  it("unknown tags, repositories and hosts fail with containerd's messages", () => {
    expect(resolveImage(ref("nginx:doesnotexist"))).toEqual({ ok: false, code: "NotFound", message: 'failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found' });
    const repo = resolveImage(ref("nginxx"));
    expect(repo.ok === false && repo.code).toBe("Unknown");
    const host = resolveImage(ref("myregistry.example.com/app:v1"));
    expect(host.ok === false && host.message).toContain("no such host");
    const k8s = resolveImage(ref("registry.k8s.io/nope:1"));
    expect(k8s.ok === false && k8s.code).toBe("NotFound");
  });
});

describe("container runtime: shell scripts", () => {
  const ctx = { env: { NAME: "world" }, hostname: "pod-1", flavor: "busybox" as const };
  it("sleep, echo, exit", () => {
    const tl = interpretScript("echo hello $NAME; sleep 5; echo done; exit 3", ctx);
    expect(tl.logs).toEqual([{ atMs: 0, text: "hello world" }, { atMs: 5000, text: "done" }]);
    expect(tl.exitAtMs).toBe(5000);
    expect(tl.exitCode).toBe(3);
  });
  it("the last command's status is the exit code; && and || short-circuit", () => {
    expect(interpretScript("false", ctx).exitCode).toBe(1);
    expect(interpretScript("true && echo yes || echo no", ctx).logs.map((l) => l.text)).toEqual(["yes"]);
    expect(interpretScript("false && echo yes || echo no", ctx).logs.map((l) => l.text)).toEqual(["no"]);
  });
  it("while true loops become periodic output, forever", () => {
    const tl = interpretScript('while true; do echo "tick $(date)"; sleep 2; done', ctx);
    expect(tl.exitAtMs).toBeNull();
    expect(tl.periodic).toEqual([{ fromMs: 0, periodMs: 2000, lines: [{ offsetMs: 0, text: "tick {{date}}" }] }]);
  });
  it("files: touch, rm, redirect, cat", () => {
    const tl = interpretScript("touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; echo hi > /tmp/x; cat /tmp/x; sleep 600", ctx);
    expect(tl.files.find((f) => f.path === "/tmp/healthy")).toMatchObject({ fromMs: 0, untilMs: 30_000 });
    expect(tl.logs.map((l) => l.text)).toEqual(["hi"]);
    expect(tl.exitAtMs).toBe(630_000);
  });
  it("for loops, sleep infinity, tail -f, trap", () => {
    expect(interpretScript("for i in 1 2 3; do echo $i; done", ctx).logs.map((l) => l.text)).toEqual(["1", "2", "3"]);
    expect(interpretScript("sleep infinity", ctx).exitAtMs).toBeNull();
    expect(interpretScript("tail -f /dev/null", ctx).exitAtMs).toBeNull();
    expect(interpretScript("trap 'exit 0' TERM; sleep 3600", ctx).trapsTerm).toBe(true);
  });
});

describe("container runtime: behaviour", () => {
  it("argv: command/args over ENTRYPOINT/CMD, $(VAR) expanded", () => {
    expect(containerArgv(input("nginx"))).toEqual(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]);
    expect(containerArgv(input("busybox", { args: ["sleep", "10"] }))).toEqual(["sleep", "10"]);
    expect(containerArgv(input("busybox", { command: ["echo"], args: ["$(GREETING)"], env: { GREETING: "hi" } }))).toEqual(["echo", "hi"]);
  });
  it("web servers run forever and listen; busybox alone exits 0 at once", () => {
    const n = behaviourOf(input("nginx"));
    expect(n.exitAtMs).toBeNull();
    expect(n.listeners).toEqual([{ port: 80, protocol: "http", fromMs: 60 }]);
    expect(behaviourOf(input("httpd")).listeners[0].port).toBe(80);
    expect(behaviourOf(input("redis")).listeners[0]).toMatchObject({ port: 6379, protocol: "tcp" });
    expect(behaviourOf(input("hashicorp/http-echo", { args: ["-text=hello"] })).listeners[0].port).toBe(5678);
    expect(behaviourOf(input("registry.k8s.io/e2e-test-images/agnhost:2.39", { command: ["/agnhost", "netexec", "--http-port=8080"] })).listeners[0].port).toBe(8080);
    const bb = behaviourOf(input("busybox"));
    expect([bb.exitAtMs, bb.exitCode]).toEqual([0, 0]);
    expect(behaviourOf(input("busybox", { stdin: true })).exitAtMs).toBeNull();
  });
  it("databases need their password env, as the real entrypoints do", () => {
    const pg = behaviourOf(input("postgres"));
    expect(pg.exitCode).toBe(1);
    expect(pg.logs[0].text).toBe("Error: Database is uninitialized and superuser password is not specified.");
    const ok = behaviourOf(input("postgres", { env: { POSTGRES_PASSWORD: "x" } }));
    expect(ok.exitAtMs).toBeNull();
    expect(ok.listeners[0].port).toBe(5432);
    expect(behaviourOf(input("mysql")).exitCode).toBe(1);
  });
  it("memory hogs: OOM when the ramp crosses the limit; cpu is throttled to its limit", () => {
    const b = behaviourOf(input("polinux/stress", { command: ["stress"], args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"], memoryLimitBytes: 100 * Mi }));
    expect(b.oomAtMs).not.toBeNull();
    expect(b.exitAtMs).toBe(b.oomAtMs);
    expect(b.exitCode).toBe(137);
    expect(memoryAt(b, 10_000)).toBeGreaterThan(250 * Mi);
    const cpu = behaviourOf(input("vish/stress", { args: ["-cpus", "2"], cpuLimitMillis: 1000 }));
    expect(cpuAt(cpu, 60_000)).toBe(1000);
    const knob = behaviourOf(input("nginx", { env: { KUBECLASS_MEMORY: "300Mi" }, memoryLimitBytes: 128 * Mi }));
    expect(knob.oomAtMs).toBeGreaterThan(0);
    expect(parseSize("250M")).toBe(250 * Mi);
  });
  it("exit and readiness knobs", () => {
    const b = behaviourOf(input("nginx", { env: { KUBECLASS_EXIT_AFTER: "20", KUBECLASS_EXIT_CODE: "4", KUBECLASS_READY_AFTER: "5" } }));
    expect([b.exitAtMs, b.exitCode]).toEqual([20_000, 4]);
    expect(httpProbe(b, "10.0.0.5", "HTTP", 80, "/healthz", 1000, 1000)).toMatchObject({ ok: false, output: "HTTP probe failed with statuscode: 503" });
    expect(httpProbe(b, "10.0.0.5", "HTTP", 80, "/healthz", 6000, 1000).ok).toBe(true);
  });
});

describe("container runtime: probes against behaviour", () => {
  it("http: 200 on /, 404 elsewhere on nginx, connection refused on a closed port", () => {
    const b = behaviourOf(input("nginx"));
    expect(httpProbe(b, "10.244.1.5", "HTTP", 80, "/", 1000, 1000).ok).toBe(true);
    expect(httpProbe(b, "10.244.1.5", "HTTP", 80, "/nope", 1000, 1000).output).toBe("HTTP probe failed with statuscode: 404");
    expect(httpProbe(b, "10.244.1.5", "HTTP", 8080, "/", 1000, 1000).output).toBe('Get "http://10.244.1.5:8080/": dial tcp 10.244.1.5:8080: connect: connection refused');
    expect(tcpProbe(b, "10.244.1.5", 80, 1000).ok).toBe(true);
  });
  it("exec: files over time, redis-cli, timeouts", () => {
    const b = behaviourOf(input("registry.k8s.io/busybox", { args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"] }));
    const env = { hostname: "p", env: {} };
    expect(execProbe(b, ["cat", "/tmp/healthy"], 10_000, 1000, env).ok).toBe(true);
    expect(execProbe(b, ["cat", "/tmp/healthy"], 31_000, 1000, env)).toEqual({ ok: false, output: "cat: can't open '/tmp/healthy': No such file or directory" });
    expect(execProbe(b, ["sh", "-c", "test -f /tmp/healthy"], 31_000, 1000, env).ok).toBe(false);
    expect(execProbe(behaviourOf(input("redis")), ["redis-cli", "ping"], 1000, 1000, env)).toEqual({ ok: true, output: "PONG" });
    expect(execProbe(b, ["sh", "-c", "sleep 5"], 1000, 1000, env).ok).toBe(false);
  });
});

describe("container runtime: logs", () => {
  const run = (behaviour = behaviourOf(input("busybox", { command: ["sh", "-c", "while true; do echo n; sleep 1; done"] }))): LogRun => ({ startedAt: 0, finishedAt: null, behaviour, extra: [], requests: [], podIP: "10.244.1.2" });
  it("renders loops lazily and bounds the output", () => {
    const r = run();
    expect(runLines(r, -Infinity, 9_999).length).toBe(10);
    expect(runLines(r, -Infinity, 1e9, 100).length).toBe(100);
    expect(formatLogs(runLines(r, -Infinity, 2_500), { timestamps: true })).toBe("1970-01-01T00:00:00.000000000Z n\n1970-01-01T00:00:01.000000000Z n\n1970-01-01T00:00:02.000000000Z n\n");
    expect(formatLogs(runLines(r, -Infinity, 2_500), { tailLines: 0 })).toBe("");
  });
  it("no lines after the run finished", () => {
    const r = { ...run(), finishedAt: 2_000 };
    expect(runLines(r, -Infinity, 60_000).length).toBe(3);
  });
});

describe("kubelet: back-off", () => {
  it("doubles to 5 minutes and forgets after 10 minutes", () => {
    let e = backoffNext(null, 0, 0);
    const seen = [e.backoffMs];
    for (let i = 0; i < 7; i++) seen.push((e = backoffNext(e, 1000, 1000)).backoffMs);
    expect(seen).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(inBackoffSince(e, 1000, 2000)).toBe(true);
    expect(backoffNext(e, 1000 + 600_001, 1000 + 600_001).backoffMs).toBe(10_000);
  });
  it("formats durations as Go does", () => {
    expect([10_000, 80_000, 300_000, 2_134, 812, 3_600_000].map(goDuration)).toEqual(["10s", "1m20s", "5m0s", "2.134s", "812ms", "1h0m0s"]);
  });
  it("hex ids look like sha256 digests", () => {
    expect(hex64("x")).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hex64("x").match(/.{8}/g)).size).toBe(8);
  });
});

// The simulated registry's release rule: every tag a real registry has for the well-known
// repositories pulls; a tag that cannot exist fails with containerd's message.
import { describe, expect, it } from "vitest";
import { parseImageRef, resolveImage, type ImageRef, type ResolveResult } from "../../../../src/node/container-runtime/images";
import { RELEASES } from "../../../../src/node/container-runtime/image-releases";

const resolve = (s: string): ResolveResult => resolveImage(parseImageRef(s) as ImageRef);
const digestOf = (s: string) => {
  const r = resolve(s);
  if (!r.ok) throw new Error(`${s} did not resolve: ${r.message}`);
  return r.image.repoDigest.split("@")[1];
};
const sizeOf = (s: string) => {
  const r = resolve(s);
  if (!r.ok) throw new Error(`${s} did not resolve`);
  return r.image.sizeBytes;
};

describe("image registry: tags by release rule", () => {
  it("current releases and their variants pull", () => {
    const tags = [
      "nginx:1.28", "nginx:1.28.0", "nginx:1.29", "nginx:1.29.0", "nginx:1.29.1", "nginx:1.29-alpine", "nginx:1.28.0-alpine-slim", "nginx:stable-alpine", "nginx:bookworm", "nginx:1.27.3", "nginx:1.14.2",
      "redis:8", "redis:8.2", "redis:8-alpine", "redis:7.4.5-bookworm", "postgres:17", "postgres:18", "postgres:17.6-alpine", "postgres:9.6.24",
      "node:22", "node:24", "node:lts-alpine", "node:24-bookworm-slim", "python:3.13", "python:3.14-slim", "python:3.14-slim-bookworm", "python:3.12.4-alpine",
      "mysql:8.4", "mysql:lts", "mysql:9.4.0-oracle", "busybox:1.36", "busybox:1.37.0-musl", "alpine:3.22", "alpine:3.21.4", "debian:trixie-slim", "debian:12-slim",
      "httpd:2.4.65-alpine", "memcached:1.6-alpine", "curlimages/curl:8.16.0", "registry.k8s.io/kube-proxy:v1.33.5",
    ];
    for (const t of tags) expect(resolve(t).ok, t).toBe(true);
  });

  it("a tag that cannot exist fails with containerd's NotFound", () => {
    for (const t of ["nginx:1.99", "nginx:1.29.2", "nginx:latestt", "nginx:1.029", "nginx:1.28-ubuntu", "redis:9", "postgres:17.7", "postgres:17.6.1", "python:3.15", "node:24-alpine-slim", "registry.k8s.io/kube-proxy:1.33.5", "busybox:v1.36"]) {
      const wanted = (parseImageRef(t) as ImageRef).name;
      expect(resolve(t), t).toEqual({ ok: false, code: "NotFound", message: `failed to pull and unpack image "${wanted}": failed to resolve reference "${wanted}": ${wanted}: not found` });
    }
  });

  it("tags of one version are one image (one digest); different versions and variants differ", () => {
    expect(digestOf("nginx:1.28")).toBe(digestOf("nginx:1.28.0"));
    expect(digestOf("nginx:stable")).toBe(digestOf("nginx:1.28"));
    expect(digestOf("redis:8")).toBe(digestOf("redis:8.2.1"));
    expect(digestOf("redis:latest")).toBe(digestOf("redis:8.2"));
    expect(digestOf("python:3.14-slim")).toBe(digestOf("python:3.14.0-slim"));
    expect(digestOf("nginx:1.28.0")).not.toBe(digestOf("nginx:1.27.5"));
    expect(digestOf("redis:8")).not.toBe(digestOf("redis:8-alpine"));
  });

  it("sizes are plausible and stable: a variant's relative size, within 3 % across versions", () => {
    expect(sizeOf("redis:8-alpine")).toBeLessThan(sizeOf("redis:8") / 2);
    expect(sizeOf("python:3.14-slim")).toBeLessThan(sizeOf("python:3.14") / 5);
    expect(sizeOf("postgres:17")).toBe(sizeOf("postgres:17"));
    const rule = RELEASES["docker.io/library/postgres"];
    for (const t of ["postgres:13", "postgres:16.2", "postgres:18"]) {
      expect(Math.abs(sizeOf(t) / rule.size - 1), t).toBeLessThanOrEqual(0.03);
    }
  });

  it("a digest of a well-known repository pulls (real digests cannot be known); of an unknown one, it does not", () => {
    const d = `sha256:${"ab".repeat(32)}`;
    const r = resolve(`redis@${d}`);
    expect(r.ok && r.image.repoDigest).toBe(`docker.io/library/redis@${d}`);
    expect(resolve(`nginxx@${d}`).ok).toBe(false);
  });

  it("every rule's names and newest versions resolve to a release line of its own", () => {
    for (const [repo, rule] of Object.entries(RELEASES)) {
      for (const line of rule.lines) expect(resolve(`${repo}:${rule.vPrefix ? "v" : ""}${line}`).ok, `${repo}:${line}`).toBe(true);
      for (const name of Object.keys(rule.names)) expect(resolve(`${repo}:${name}`).ok, `${repo}:${name}`).toBe(true);
    }
  });
});

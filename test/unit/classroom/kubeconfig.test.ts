import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { joinUrl, kubeconfig, validateCreateRequest } from "../../../src/classroom/create";

describe("kubeconfig", () => {
  const base = { id: "0123456789abcdef0123456789abcdef", classroomName: "demo", user: "instructor", token: "s3cret-token", namespace: "default" };
  it("over HTTPS uses a bearer token and a clean server URL", () => {
    const cfg = parse(kubeconfig({ ...base, origin: "https://kubeclass.example" }));
    expect(cfg.clusters[0].cluster.server).toBe("https://kubeclass.example/clusters/0123456789abcdef0123456789abcdef");
    expect(cfg.users[0].user).toEqual({ token: "s3cret-token" });
    expect(cfg.clusters[0].cluster).toEqual({ server: "https://kubeclass.example/clusters/0123456789abcdef0123456789abcdef" }); // TLS is verified
    expect(cfg["current-context"]).toBe(cfg.contexts[0].name);
    expect(cfg.contexts[0].context.namespace).toBe("default");
  });
  it("over plain HTTP carries the token in the server path, which kubectl keeps on every request", () => {
    const cfg = parse(kubeconfig({ ...base, origin: "http://127.0.0.1:8787" }));
    expect(cfg.clusters[0].cluster.server).toBe("http://127.0.0.1:8787/clusters/0123456789abcdef0123456789abcdef/auth/s3cret-token");
    expect(cfg.users[0].user).toEqual({});
    // Nothing to verify on http://; @kubernetes/client-node's Watch (and every informer) refuses http:// without it.
    expect(cfg.clusters[0].cluster["insecure-skip-tls-verify"]).toBe(true);
  });
  it("defaults and checks the create request", () => {
    expect(validateCreateRequest({})).toEqual({ name: "classroom", nodes: 3, speed: 1, cloud: true });
    expect(() => validateCreateRequest({ cloud: "yes" })).toThrow();
    expect(() => validateCreateRequest({ speed: 0 })).toThrow();
    expect(() => validateCreateRequest({ nodes: 2.5 })).toThrow();
    expect(() => validateCreateRequest({ name: "x".repeat(81) })).toThrow();
  });
  it("a rotated join link carries its token only in the fragment, which browsers never send or log", () => {
    const url = new URL(joinUrl("https://kubeclass.example", base.id, "n3w-token"));
    expect(url.pathname).toBe(`/join/${base.id}`);
    expect(url.search).toBe("");
    expect(url.hash).toBe("#join=n3w-token");
  });
});

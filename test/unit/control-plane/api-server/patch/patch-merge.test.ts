import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMergePatch, createMergePatch } from "../../../../../src/control-plane/api-server/patch";

// JSON values without nulls inside objects (a merge patch cannot set a member to null) and
// without "__proto__" keys (not valid Kubernetes field names).
const key = fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__");
const { value: jsonNoNull } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.string({ maxLength: 5 }),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
}));
const object = fc.dictionary(key, jsonNoNull, { maxKeys: 5 });

describe("applyMergePatch (RFC 7386)", () => {
  // The examples of RFC 7386 appendix A.
  const rfc: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(rfc)("RFC 7386 example %#", (target, patch, want) => {
    expect(applyMergePatch(target, patch)).toEqual(want);
  });

  it("handles kubectl label/annotate and scale patches", () => {
    const dep = { metadata: { name: "web", labels: { app: "web", tier: "fe" } }, spec: { replicas: 1 } };
    expect(applyMergePatch(dep, { metadata: { labels: { env: "prod", tier: null } } })).toEqual({
      metadata: { name: "web", labels: { app: "web", env: "prod" } },
      spec: { replicas: 1 },
    });
    expect(applyMergePatch({ spec: { replicas: 1 }, status: { replicas: 1 } }, { spec: { replicas: 5 } })).toEqual({
      spec: { replicas: 5 },
      status: { replicas: 1 },
    });
  });

  it("round-trips with createMergePatch", () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        expect(applyMergePatch(a, createMergePatch(a, b))).toEqual(b);
      }),
    );
  });

  it("never mutates its inputs", () => {
    fc.assert(
      fc.property(object, fc.jsonValue(), (target, patch) => {
        const t = structuredClone(target);
        const p = structuredClone(patch);
        const out = applyMergePatch(target, patch);
        expect(target).toEqual(t);
        expect(patch).toEqual(p);
        if (out !== null && typeof out === "object") expect(out).not.toBe(target);
      }),
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(object, fc.jsonValue(), (target, patch) => {
        const once = applyMergePatch(target, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
    );
  });
});

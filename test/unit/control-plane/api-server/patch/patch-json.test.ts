import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyJsonPatch, PatchError } from "../../../../../src/control-plane/api-server/patch";

function fails(doc: unknown, ops: unknown, code: number, message?: string | RegExp) {
  try {
    applyJsonPatch(doc, ops);
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    expect((e as PatchError).code).toBe(code);
    if (message) expect((e as PatchError).message).toMatch(message);
    return;
  }
  throw new Error("expected the patch to fail");
}

describe("applyJsonPatch (RFC 6902)", () => {
  // RFC 6902 appendix A.
  it("A.1 adds an object member", () => {
    expect(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }])).toEqual({ baz: "qux", foo: "bar" });
  });
  it("A.2 adds an array element", () => {
    expect(applyJsonPatch({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }])).toEqual({ foo: ["bar", "qux", "baz"] });
  });
  it("A.3 removes an object member", () => {
    expect(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }])).toEqual({ foo: "bar" });
  });
  it("A.4 removes an array element", () => {
    expect(applyJsonPatch({ foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }])).toEqual({ foo: ["bar", "baz"] });
  });
  it("A.5 replaces a value", () => {
    expect(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }])).toEqual({ baz: "boo", foo: "bar" });
  });
  it("A.6 moves a value", () => {
    const doc = { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } };
    expect(applyJsonPatch(doc, [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }])).toEqual({
      foo: { bar: "baz" },
      qux: { corge: "grault", thud: "fred" },
    });
  });
  it("A.7 moves an array element", () => {
    expect(applyJsonPatch({ foo: ["all", "grass", "cows", "eat"] }, [{ op: "move", from: "/foo/1", path: "/foo/3" }])).toEqual({
      foo: ["all", "cows", "eat", "grass"],
    });
  });
  it("A.8 test succeeds", () => {
    const doc = { baz: "qux", foo: ["a", 2, "c"] };
    expect(applyJsonPatch(doc, [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }])).toEqual(doc);
  });
  it("A.9 test fails with 422", () => {
    fails({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], 422, "testing value /baz failed: test failed");
  });
  it("A.10 adds a nested member object", () => {
    expect(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }])).toEqual({
      foo: "bar",
      child: { grandchild: {} },
    });
  });
  it("A.12 fails adding to a nonexistent target", () => {
    fails({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], 422, /add operation does not apply: doc is missing path/);
  });
  it("A.14 handles ~0 and ~1 escapes", () => {
    expect(applyJsonPatch({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }])).toEqual({ "/": 9, "~1": 10 });
    const ann = { metadata: { annotations: { "example.com/x": "1" } } };
    expect(applyJsonPatch(ann, [{ op: "replace", path: "/metadata/annotations/example.com~1x", value: "2" }])).toEqual({
      metadata: { annotations: { "example.com/x": "2" } },
    });
  });
  it("A.15 compares strings and numbers strictly", () => {
    fails({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }], 422);
  });
  it("A.16 appends with -", () => {
    expect(applyJsonPatch({ foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }])).toEqual({ foo: ["bar", ["abc", "def"]] });
  });
  it("copies values deeply", () => {
    const out = applyJsonPatch({ a: { b: [1] } }, [{ op: "copy", from: "/a", path: "/c" }, { op: "add", path: "/c/b/-", value: 2 }]);
    expect(out).toEqual({ a: { b: [1] }, c: { b: [1, 2] } });
  });
  it("applies a kubectl patch --type=json on a Deployment", () => {
    const dep = { spec: { replicas: 1, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.24" }] } } } };
    const out = applyJsonPatch(dep, [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.25" },
      { op: "add", path: "/spec/template/spec/containers/0/args", value: ["-g", "daemon off;"] },
      { op: "replace", path: "/spec/replicas", value: 3 },
    ]);
    expect(out).toEqual({
      spec: { replicas: 3, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.25", args: ["-g", "daemon off;"] }] } } },
    });
  });
  it("replaces or tests the whole document with an empty path", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }])).toEqual({ b: 2 });
    expect(applyJsonPatch({ a: 1 }, [{ op: "test", path: "", value: { a: 1 } }])).toEqual({ a: 1 });
  });
  it("reports errors with the apiserver's codes", () => {
    fails({}, { op: "add" }, 400); // not a list of operations
    fails({}, ["add"], 400);
    fails({ a: 1 }, [{ op: "frob", path: "/a" }], 422, "Unexpected kind: frob");
    fails({ a: 1 }, [{ op: "remove", path: "/b" }], 422, /Unable to remove nonexistent key: b/);
    fails({ a: 1 }, [{ op: "replace", path: "/b", value: 1 }], 422, /replace operation does not apply: doc is missing key: \/b/);
    fails({ a: [1] }, [{ op: "add", path: "/a/5", value: 1 }], 422, /invalid index/);
    fails({ a: [1] }, [{ op: "remove", path: "/a/01" }], 422);
    fails({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }], 422);
    fails({ a: 1 }, [{ op: "add", path: "a", value: 1 }], 422);
  });
  it("is all or nothing and never mutates its input", () => {
    const doc = { a: 1, list: [1, 2] };
    fails(doc, [{ op: "add", path: "/b", value: 2 }, { op: "test", path: "/a", value: 2 }], 422);
    expect(doc).toEqual({ a: 1, list: [1, 2] });
  });
  it("property: never mutates the document or the operations", () => {
    const doc = fc.dictionary(fc.constantFrom("a", "b", "c"), fc.oneof(fc.integer(), fc.array(fc.integer(), { maxLength: 3 })));
    const path = fc.constantFrom("/a", "/b", "/c", "/a/0", "/a/-", "/b/1", "", "/d");
    const op = fc.record({
      op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test"),
      path,
      from: path,
      value: fc.oneof(fc.integer(), fc.array(fc.integer(), { maxLength: 2 })),
    });
    fc.assert(
      fc.property(doc, fc.array(op, { maxLength: 4 }), (d, ops) => {
        const d0 = structuredClone(d);
        const o0 = structuredClone(ops);
        try {
          applyJsonPatch(d, ops);
        } catch (e) {
          expect(e).toBeInstanceOf(PatchError);
        }
        expect(d).toEqual(d0);
        expect(ops).toEqual(o0);
      }),
    );
  });
  it("property: add then remove of a fresh member is the identity", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("a", "b"), fc.integer()), fc.jsonValue(), (d, v) => {
        expect(applyJsonPatch(d, [{ op: "add", path: "/new~1key", value: v }, { op: "remove", path: "/new~1key" }])).toEqual(d);
      }),
    );
  });
});

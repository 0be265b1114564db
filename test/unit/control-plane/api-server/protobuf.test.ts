import { describe, expect, it } from "vitest";
import {
  decodeKubeProtobuf,
  isSupportedKind,
  PROTOBUF_CONTENT_TYPE,
  ProtobufError,
  unresolvedReferences,
} from "../../../../src/control-plane/api-server/protobuf/index.js";
import { captured } from "../../../fixtures/protobuf/kubectl-1.32.js";

// --- a tiny test-only encoder for hand-built bodies ---------------------------------------------
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const enc = new TextEncoder();
const vField = (num: number, v: number | bigint) => [...varint(num * 8), ...varint(v)];
function lField(num: number, payload: number[] | string): number[] {
  const bytes = typeof payload === "string" ? [...enc.encode(payload)] : payload;
  return [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
}
function body(apiVersion: string, kind: string, raw: number[], extra: number[] = []): Uint8Array {
  const typeMeta = [...lField(1, apiVersion), ...lField(2, kind)];
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...lField(1, typeMeta), ...lField(2, raw), ...extra]);
}
const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

describe("decodeKubeProtobuf on bodies captured from kubectl 1.32", () => {
  it("has a table for every referenced message", () => {
    expect(unresolvedReferences()).toEqual([]);
  });

  for (const c of captured) {
    it(`${c.name}: ${c.command}`, () => {
      expect(c.expected).not.toBeNull();
      expect(decodeKubeProtobuf(b64(c.body))).toStrictEqual(c.expected);
    });
  }

  it("keeps explicit zeros of pointer fields (replicas: 0)", () => {
    const deploy0 = captured.find((c) => c.name === "deploy0")!;
    const obj = decodeKubeProtobuf(b64(deploy0.body)) as { spec: { replicas: number } };
    expect(obj.spec.replicas).toBe(0);
  });

  it("renders Secret data as base64 and binaryData as base64", () => {
    const cm = decodeKubeProtobuf(b64(captured.find((c) => c.name === "cmfile")!.body)) as {
      binaryData: Record<string, string>;
    };
    expect(atob(cm.binaryData.bin!)).toBe("\x00\x01binary\xff");
  });
});

describe("decodeKubeProtobuf on hand-built bodies", () => {
  it("exports the content type", () => {
    expect(PROTOBUF_CONTENT_TYPE).toBe("application/vnd.kubernetes.protobuf");
    expect(isSupportedKind("apps/v1", "Deployment")).toBe(true);
    expect(isSupportedKind("apps/v1", "DeleteOptions")).toBe(true);
    expect(isSupportedKind("apps/v1", "Widget")).toBe(false);
  });

  it("renders Time as RFC3339 UTC and an empty Time as null", () => {
    const meta = [...lField(1, "x"), ...lField(8, vField(1, 1700000000)), ...lField(9, [])];
    const obj = decodeKubeProtobuf(body("v1", "Namespace", lField(1, meta))) as { metadata: Record<string, unknown> };
    expect(obj.metadata).toStrictEqual({ name: "x", creationTimestamp: "2023-11-14T22:13:20Z", deletionTimestamp: null });
  });

  it("renders IntOrString as a string or a number, and negative int32 correctly", () => {
    const port = (n: number) => [...vField(3, n), ...lField(4, [...vField(1, 1), ...lField(3, "http")])];
    const spec = [...lField(1, port(80)), ...vField(12, -1)];
    const obj = decodeKubeProtobuf(body("v1", "Service", lField(2, spec))) as { spec: Record<string, unknown> };
    expect(obj.spec).toStrictEqual({ ports: [{ port: 80, targetPort: "http" }], healthCheckNodePort: -1 });
  });

  it("accepts packed repeated integers", () => {
    const psc = lField(4, [...varint(1000), ...varint(2000)]); // supplementalGroups, packed
    const podSpec = lField(14, psc);
    const obj = decodeKubeProtobuf(body("v1", "Pod", lField(2, podSpec))) as { spec: Record<string, unknown> };
    expect(obj.spec).toStrictEqual({ containers: null, securityContext: { supplementalGroups: [1000, 2000] } });
  });

  it("skips unknown fields of every wire type (forward compatible)", () => {
    const raw = [
      ...lField(1, lField(1, "cfg")),
      ...vField(90, 7),
      ...lField(91, "future"),
      ...[...varint(92 * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8],
      ...[...varint(93 * 8 + 5), 1, 2, 3, 4],
      ...lField(2, [...lField(1, "k"), ...lField(2, "v")]),
    ];
    expect(decodeKubeProtobuf(body("v1", "ConfigMap", raw))).toStrictEqual({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "cfg", creationTimestamp: null },
      data: { k: "v" },
    });
  });

  it("flattens inline structs (configMapKeyRef.name, probe handlers, volume sources)", () => {
    const keyRef = [...lField(1, lField(1, "cm1")), ...lField(2, "k")];
    const env = [...lField(1, "E"), ...lField(3, lField(3, keyRef))];
    const probe = [...lField(1, lField(1, lField(1, "true"))), ...vField(4, 5)];
    const container = [...lField(1, "c"), ...lField(7, env), ...lField(10, probe)];
    const volume = [...lField(1, "v"), ...lField(2, lField(2, []))];
    const podSpec = [...lField(1, volume), ...lField(2, container)];
    const obj = decodeKubeProtobuf(body("v1", "Pod", lField(2, podSpec))) as { spec: Record<string, unknown> };
    expect(obj.spec).toStrictEqual({
      volumes: [{ name: "v", emptyDir: {} }],
      containers: [
        {
          name: "c",
          env: [{ name: "E", valueFrom: { configMapKeyRef: { name: "cm1", key: "k" } } }],
          resources: {},
          livenessProbe: { exec: { command: ["true"] }, periodSeconds: 5 },
        },
      ],
    });
  });
});

describe("decodeKubeProtobuf rejects malformed or unsupported input", () => {
  const good = body("v1", "Namespace", lField(1, lField(1, "x")));
  const cases: [string, Uint8Array][] = [
    ["empty body", new Uint8Array(0)],
    ["wrong magic", new Uint8Array([0x7b, 0x22, 0x61, 0x22])],
    ["magic only", new Uint8Array([0x6b, 0x38, 0x73, 0x00])],
    ["truncated varint", new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x80])],
    ["length past end", new Uint8Array([...good.subarray(0, good.length - 2)])],
    ["overlong varint", new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...Array(11).fill(0xff), 0x01])],
    ["group wire type", body("v1", "Namespace", [...varint(5 * 8 + 3)])],
    ["wrong wire type for a known field", body("v1", "Namespace", vField(1, 5))],
    ["invalid UTF-8 in a string", body("v1", "Namespace", lField(1, lField(1, [0xff, 0xfe])))],
    ["unknown kind", body("v1", "Widget", [])],
    ["missing type meta", new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...lField(2, [])])],
    ["gzip content encoding", body("v1", "Namespace", [], lField(3, "gzip"))],
    ["field number zero", body("v1", "Namespace", [0x02, 0x00])],
  ];
  for (const [name, input] of cases) {
    it(name, () => {
      expect(() => decodeKubeProtobuf(input)).toThrow(ProtobufError);
    });
  }
});

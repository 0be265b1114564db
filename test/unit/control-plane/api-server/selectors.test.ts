import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  SelectorError, convertFieldSelector, fieldsOf as fieldsOfObject, labelSelectorFromObject, labelSelectorToString,
  parseFieldSelector, parseLabelSelector, unsupportedField,
} from "../../../../src/control-plane/api-server/selectors";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";

const err = (f: () => unknown): string => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(SelectorError); return (e as Error).message; }
  throw new Error("expected a SelectorError");
};
const NAME_PART_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("parseLabelSelector", () => {
  it("supports equality, set, existence and comparison requirements (ANDed)", () => {
    const s = parseLabelSelector("app=web, tier!=db,env in (prod,staging),zone notin (a),team,!legacy");
    expect(s.matches({ app: "web", tier: "fe", env: "prod", zone: "b", team: "x" })).toBe(true);
    expect(s.matches({ app: "web", env: "prod", team: "x" })).toBe(true); // != and notin match a missing key
    expect(s.matches({ app: "web", env: "dev", team: "x" })).toBe(false);
    expect(s.matches({ app: "web", env: "prod", team: "x", legacy: "" })).toBe(false);
    expect(s.matches({ app: "web", env: "prod" })).toBe(false);
    expect(s.matches(undefined)).toBe(false);
    expect(parseLabelSelector("app==web").matches({ app: "web" })).toBe(true);
    const gt = parseLabelSelector("n>3");
    expect([gt.matches({ n: "4" }), gt.matches({ n: "3" }), gt.matches({ n: "x" }), gt.matches({})]).toEqual([true, false, false, false]);
    expect(parseLabelSelector("n<3").matches({ n: "-1" })).toBe(true);
  });

  it("treats empty as everything and normalises String() like apimachinery", () => {
    expect(parseLabelSelector("").empty).toBe(true);
    expect(parseLabelSelector("  ").matches({})).toBe(true);
    expect(parseLabelSelector("b=1,a in (y,x),!c,d").toString()).toBe("a in (x,y),b=1,!c,d");
    expect(parseLabelSelector("x in (foo,,baz),y,z notin ()").toString()).toBe("x in (,baz,foo),y,z notin ()");
    expect(parseLabelSelector("k=").matches({ k: "" })).toBe(true);
    // "in"/"notin" are plain identifiers where a key or value is expected.
    expect(parseLabelSelector("in in (in,notin)").matches({ in: "notin" })).toBe(true);
  });

  it("reports parse errors with the real messages", () => {
    expect(err(() => parseLabelSelector("app:monolith"))).toBe(`unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART_MSG}`);
    expect(err(() => parseLabelSelector("a in (b"))).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(err(() => parseLabelSelector("a b"))).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    expect(err(() => parseLabelSelector("a in b"))).toBe("unable to parse requirement: found 'b' expected: '('");
    expect(err(() => parseLabelSelector("=x"))).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(err(() => parseLabelSelector("a,"))).toBe("found '', expected: identifier after ','");
    expect(err(() => parseLabelSelector("a=b c"))).toBe("found 'c', expected: ',' or 'end of string'");
    expect(err(() => parseLabelSelector("!a=b"))).toBe("found '=', expected: ',' or 'end of string'");
    expect(err(() => parseLabelSelector("app=-bad"))).toBe(
      "unable to parse requirement: values[0][app]: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    expect(err(() => parseLabelSelector("n>x"))).toBe(`unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
    expect(err(() => parseLabelSelector("Example.com/a=b"))).toMatch(/^unable to parse requirement: <nil>: Invalid value: "Example.com\/a": prefix part a lowercase RFC 1123 subdomain/);
    expect(err(() => parseLabelSelector("a/b/c=d"))).toMatch(/Invalid value: "a\/b\/c": a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/);
  });
});

describe("labelSelectorFromObject", () => {
  it("follows LabelSelectorAsSelector: nil matches nothing, empty matches everything", () => {
    expect(labelSelectorFromObject(undefined).matches({ a: "b" })).toBe(false);
    expect(labelSelectorFromObject(undefined).empty).toBe(false);
    expect(labelSelectorFromObject({}).matches({ a: "b" })).toBe(true);
    expect(labelSelectorFromObject({}).empty).toBe(true);
    const s = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["fe", "be"] }, { key: "old", operator: "DoesNotExist" }],
    });
    expect(s.matches({ app: "web", tier: "be" })).toBe(true);
    expect(s.matches({ app: "web", tier: "be", old: "1" })).toBe(false);
    expect(s.toString()).toBe("app=web,!old,tier in (be,fe)");
    expect(labelSelectorToString({ matchLabels: { tier: "fe", app: "web" } })).toBe("app=web,tier=fe");
  });

  it("rejects bad operators and values", () => {
    expect(err(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Foo" }] }))).toBe(`"Foo" is not a valid label selector operator`);
    expect(err(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })))
      .toBe("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
    expect(err(() => labelSelectorFromObject({ matchLabels: { "bad key": "x" } }))).toBe(`key: Invalid value: "bad key": ${NAME_PART_MSG}`);
  });

  const key = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
  const value = fc.stringMatching(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,8}[A-Za-z0-9])?)?$/);
  const labelSet = fc.dictionary(key, value, { maxKeys: 6 });

  it("a matchLabels selector matches exactly the label sets containing it (property)", () => {
    fc.assert(fc.property(labelSet, labelSet, (want, have) => {
      const contains = Object.entries(want).every(([k, v]) => Object.prototype.hasOwnProperty.call(have, k) && have[k] === v);
      const merged = { ...have, ...want };
      const sel = labelSelectorFromObject({ matchLabels: want });
      return sel.matches(have) === contains && sel.matches(merged);
    }), { numRuns: 300 });
  });

  it("String() parses back to an equivalent selector (property)", () => {
    const expr = fc.record({
      key, operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist") as fc.Arbitrary<"In" | "NotIn" | "Exists" | "DoesNotExist">,
      values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }), // duplicates do not round-trip upstream either
    }).map((e) => (e.operator === "In" || e.operator === "NotIn" ? e : { key: e.key, operator: e.operator }));
    fc.assert(fc.property(labelSet, fc.array(expr, { maxLength: 3 }), labelSet, (ml, me, probe) => {
      const a = labelSelectorFromObject({ matchLabels: ml, matchExpressions: me });
      const b = parseLabelSelector(a.toString());
      return a.matches(probe) === b.matches(probe) && b.toString() === a.toString();
    }), { numRuns: 300 });
  });
});

describe("field selectors", () => {
  it("parses =, ==, != with empty values and escapes", () => {
    const s = parseFieldSelector("spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed");
    expect(s.requirements).toEqual([
      { field: "spec.nodeName", op: "=", value: "node-1" },
      { field: "status.phase", op: "!=", value: "Failed" },
      { field: "status.phase", op: "!=", value: "Succeeded" },
    ]);
    expect(s.matches({ "spec.nodeName": "node-1", "status.phase": "Running" })).toBe(true);
    expect(s.matches({ "spec.nodeName": "node-1", "status.phase": "Failed" })).toBe(false);
    expect(parseFieldSelector("spec.nodeName=").matches({})).toBe(true);
    expect(parseFieldSelector("metadata.name==a").matches({ "metadata.name": "a" })).toBe(true);
    const esc = parseFieldSelector("a=x\\,y\\=z\\\\,b!=");
    expect(esc.requirements.map((r) => r.value)).toEqual(["x,y=z\\", ""]);
    expect(esc.toString()).toBe("a=x\\,y\\=z\\\\,b!=");
    expect(parseFieldSelector("").empty).toBe(true);
    expect(parseFieldSelector(",,").empty).toBe(true);
  });

  it("reports the real parse errors", () => {
    expect(err(() => parseFieldSelector("a=b=c"))).toBe("invalid field selector: unescaped character in value: 61");
    expect(err(() => parseFieldSelector("a=b,c"))).toBe("invalid selector: 'a=b,c'; can't understand 'c'");
    expect(err(() => parseFieldSelector("a=\\q"))).toBe("invalid field selector: invalid escape sequence: \\q");
    expect(err(() => parseFieldSelector("a=b\\"))).toBe("invalid field selector: invalid escape sequence: \\");
  });

  it("validates labels per kind and rewrites aliases", () => {
    expect(unsupportedField("Pod", "spec.foo")).toBe("field label not supported: spec.foo");
    expect(unsupportedField("Pod", "status.podIP")).toBeUndefined();
    expect(unsupportedField("ConfigMap", "data.x")).toBe(`"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    expect(unsupportedField("Deployment", "status.replicas")).toBe(`"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    expect(unsupportedField("Job", "status.failed", "batch")).toBe(`field label "status.failed" not supported for Job`);
    expect(unsupportedField("Node", "metadata.namespace")).toBe("field label not supported: metadata.namespace");
    expect(unsupportedField("Event", "regarding.name")).toBe("field label not supported: regarding.name");
    expect(unsupportedField("Event", "regarding.name", "events.k8s.io")).toBeUndefined();
    expect(convertFieldSelector(parseFieldSelector("spec.host=n1"), "Pod").requirements[0].field).toBe("spec.nodeName");
    expect(convertFieldSelector(parseFieldSelector("regarding.uid=u,reportingController=c"), "Event", "events.k8s.io").requirements.map((r) => r.field))
      .toEqual(["involvedObject.uid", "reportingComponent"]);
    expect(err(() => convertFieldSelector(parseFieldSelector("spec.nope=1"), "Secret"))).toBe("field label not supported: spec.nope");
  });

  it("exposes the registry's selectable fields", () => {
    // Only the fields each kind selects on matter here: the rest of an object is left out.
    const fieldsOf = (kind: string, obj: Pick<KubeObject, "metadata"> & Record<string, unknown>) => fieldsOfObject(kind, { apiVersion: "v1", kind, ...obj });
    const pod = { metadata: { name: "p", namespace: "ns" }, spec: { nodeName: "n1", restartPolicy: "Always" }, status: { phase: "Running", podIPs: [{ ip: "10.0.0.5" }] } };
    expect(fieldsOf("Pod", pod)).toMatchObject({
      "metadata.name": "p", "metadata.namespace": "ns", "spec.nodeName": "n1", "spec.restartPolicy": "Always", "spec.hostNetwork": "false",
      "status.phase": "Running", "status.podIP": "10.0.0.5", "spec.schedulerName": "", "spec.serviceAccountName": "", "status.nominatedNodeName": "",
    });
    const coreEv = { metadata: { name: "e", namespace: "ns" }, involvedObject: { kind: "Pod", name: "p", namespace: "ns", uid: "u" }, reason: "Pulled", type: "Normal", source: { component: "kubelet" } };
    expect(fieldsOf("Event", coreEv)).toMatchObject({ "involvedObject.kind": "Pod", "involvedObject.uid": "u", source: "kubelet", reason: "Pulled", type: "Normal" });
    const newEv = { metadata: { name: "e", namespace: "ns" }, regarding: { kind: "Pod", name: "p" }, reportingController: "ctl" };
    expect(fieldsOf("Event", newEv)).toMatchObject({ "involvedObject.name": "p", reportingComponent: "ctl", source: "ctl" });
    expect(fieldsOf("Node", { metadata: { name: "n" }, spec: { unschedulable: true } })).toEqual({ "metadata.name": "n", "spec.unschedulable": "true" });
    expect(fieldsOf("Secret", { metadata: { name: "s", namespace: "d" }, type: "Opaque" }).type).toBe("Opaque");
    expect(fieldsOf("Job", { metadata: { name: "j", namespace: "d" }, status: {} })["status.successful"]).toBe("0");
    expect(fieldsOf("Namespace", { metadata: { name: "x" }, status: { phase: "Active" } })["status.phase"]).toBe("Active");
    // describe node's pod query
    const q = convertFieldSelector(parseFieldSelector("spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed"), "Pod");
    expect(q.matches(fieldsOf("Pod", pod))).toBe(true);
  });
});

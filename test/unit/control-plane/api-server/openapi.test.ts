import { describe, expect, it } from "vitest";
import { openapiGroupVersion, openapiHash, openapiRoot } from "../../../../src/control-plane/api-server/openapi";
import { RESOURCES, groupVersions } from "../../../../src/control-plane/api-server/resources";

type Any = any;
const gvPath = (g: string, v: string) => (g ? `apis/${g}/${v}` : `api/${v}`);
const allGvs = () => [...groupVersions()].flatMap(([g, vs]) => vs.map((v) => [g, v] as const));
const METHODS = ["get", "put", "post", "delete", "patch"];

describe("/openapi/v3 root", () => {
  it("lists every group-version with a /openapi/v3 server-relative URL and stable hash", () => {
    const root = openapiRoot() as Any;
    expect(Object.keys(root.paths).sort()).toEqual(allGvs().map(([g, v]) => gvPath(g, v)).sort());
    for (const [key, { serverRelativeURL }] of Object.entries<Any>(root.paths)) {
      // Must start with /openapi/v3 so client-go keeps the kubeconfig path prefix.
      expect(serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${key}\\?hash=[0-9A-F]+$`));
      expect(serverRelativeURL.endsWith(`hash=${openapiHash(key)}`)).toBe(true);
    }
    expect(openapiRoot()).toEqual(root);
  });

  it("resolves document paths in the forms a router may pass", () => {
    expect(openapiGroupVersion("api/v1")).toBeDefined();
    expect(openapiGroupVersion("/openapi/v3/apis/apps/v1?hash=X")).toBe(openapiGroupVersion("apis/apps/v1"));
    expect(openapiGroupVersion("apis/apps")).toBeUndefined();
    expect(openapiGroupVersion("apis/nope/v1")).toBeUndefined();
    expect(openapiGroupVersion("api/v2")).toBeUndefined();
  });
});

describe("group-version documents", () => {
  for (const [group, version] of allGvs()) {
    const doc = openapiGroupVersion(gvPath(group, version)) as Any;
    const kinds = RESOURCES.filter((r) => r.group === group && r.version === version);

    it(`${gvPath(group, version)}: every PATCH for a kind carries fieldValidation and no requestBody`, () => {
      expect(doc.openapi).toBe("3.0.0");
      for (const r of kinds) {
        const patches = Object.values<Any>(doc.paths).map((p) => p.patch).filter((op) => {
          const gvk = op?.["x-kubernetes-group-version-kind"];
          return gvk && gvk.group === r.group && gvk.version === r.version && gvk.kind === r.kind;
        });
        expect(patches.length, r.kind).toBeGreaterThan(0);
        // kubectl's verifier stops at the first matching PATCH in map order, so all must qualify.
        for (const op of patches) {
          expect(op.parameters.some((p: Any) => p.name === "fieldValidation" && p.in === "query")).toBe(true);
          expect(op.requestBody).toBeUndefined();
        }
      }
    });

    it(`${gvPath(group, version)}: explain can find each kind's path and component schema`, () => {
      const schemas = doc.components.schemas;
      for (const r of kinds) {
        const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
        const item = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}/{name}` : `${prefix}/${r.plural}/{name}`;
        const op = METHODS.map((m) => doc.paths[item]?.[m]).find((o) => o?.["x-kubernetes-group-version-kind"]);
        expect(op?.["x-kubernetes-group-version-kind"], item).toEqual({ group: r.group, version: r.version, kind: r.kind });
        const matching = Object.values<Any>(schemas).filter((s) =>
          (s["x-kubernetes-group-version-kind"] ?? []).some((g: Any) => g.group === r.group && g.version === r.version && g.kind === r.kind));
        expect(matching.length, r.kind).toBe(1);
        expect(Object.keys(matching[0].properties)).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata"]));
      }
    });

    it(`${gvPath(group, version)}: every $ref resolves inside the document`, () => {
      const refs: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) {
          if (k === "$ref") refs.push(x as string);
          else walk(x);
        }
      };
      walk(doc);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref).toMatch(/^#\/components\/schemas\//);
        expect(doc.components.schemas[ref.slice("#/components/schemas/".length)], ref).toBeDefined();
      }
    });
  }

  it("describes core kinds deeply enough for `kubectl explain deployment.spec.template.spec.containers`", () => {
    const apps = openapiGroupVersion("apis/apps/v1") as Any;
    const s = apps.components.schemas;
    const resolve = (x: Any): Any => (x.$ref ? s[x.$ref.split("/").pop()] : x.allOf ? resolve(x.allOf[0]) : x);
    const deploy = s["io.k8s.api.apps.v1.Deployment"];
    const spec = resolve(deploy.properties.spec);
    expect(spec.required).toEqual(["selector", "template"]);
    const podSpec = resolve(resolve(spec.properties.template).properties.spec);
    const container = resolve(podSpec.properties.containers.items);
    expect(Object.keys(container.properties)).toEqual(expect.arrayContaining(["name", "image", "ports", "env", "resources"]));
    expect(resolve(container.properties.resources).properties.limits.additionalProperties.$ref).toMatch(/Quantity$/);
    expect(s["io.k8s.api.apps.v1.DeploymentList"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "DeploymentList", version: "v1" }]);
    const core = openapiGroupVersion("api/v1") as Any;
    expect(core.components.schemas["io.k8s.api.core.v1.ServiceSpec"].properties.type.enum).toContain("NodePort");
    expect(core.paths["/api/v1/pods"].get["x-kubernetes-action"]).toBe("list");
  });
});

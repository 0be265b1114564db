import { describe, expect, it } from "vitest";
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE, aggregatedDiscovery, apiResourceList, legacyCoreVersions, legacyGroup, legacyGroupList,
  versionInfo, wantsAggregatedDiscovery,
} from "../../../../src/control-plane/api-server/discovery";
import { RESOURCES } from "../../../../src/control-plane/api-server/resources";

type Any = any;
const KUBECTL_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

describe("content negotiation", () => {
  it("recognises kubectl's aggregated Accept header and nothing else", () => {
    expect(AGGREGATED_DISCOVERY_CONTENT_TYPE).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    expect(wantsAggregatedDiscovery(KUBECTL_ACCEPT)).toBe(true);
    expect(wantsAggregatedDiscovery(null)).toBe(false);
    expect(wantsAggregatedDiscovery("application/json, */*")).toBe(false);
    expect(wantsAggregatedDiscovery("*/*")).toBe(false);
    // Only v2beta1 offered: we cannot produce it, so legacy JSON.
    expect(wantsAggregatedDiscovery("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")).toBe(false);
    // Plain JSON listed first wins.
    expect(wantsAggregatedDiscovery(`application/json,${AGGREGATED_DISCOVERY_CONTENT_TYPE}`)).toBe(false);
    // q-values reorder.
    expect(wantsAggregatedDiscovery(`application/json;q=0.5, ${AGGREGATED_DISCOVERY_CONTENT_TYPE}`)).toBe(true);
    expect(wantsAggregatedDiscovery("application/json;as=Table;v=v1;g=meta.k8s.io,application/json")).toBe(false);
    expect(wantsAggregatedDiscovery(" application/json ; g=apidiscovery.k8s.io ; v=v2 ; as=APIGroupDiscoveryList")).toBe(true);
  });
});

describe("/version", () => {
  it("looks like a v1.32 server", () => {
    const v = versionInfo();
    expect(v).toMatchObject({ major: "1", minor: "32", gitTreeState: "clean", compiler: "gc", platform: "linux/amd64" });
    expect(v.gitVersion).toMatch(/^v1\.32\.\d+$/);
    expect(v.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(v.buildDate)).not.toBeNaN();
  });
});

describe("aggregated discovery", () => {
  const core = aggregatedDiscovery("core") as Any;
  const groups = aggregatedDiscovery("groups") as Any;

  it("holds the core group under /api and the named groups under /apis", () => {
    expect(core).toMatchObject({ kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2" });
    expect(core.items.map((i: Any) => i.metadata.name)).toEqual([""]);
    expect(groups.items.map((i: Any) => i.metadata.name)).not.toContain("");
    expect(groups.items[0].metadata.name).toBe("apps"); // real priority order
    for (const g of [...core.items, ...groups.items]) for (const v of g.versions) expect(v.freshness).toBe("Current");
  });

  it("lists every resource exactly once, as RESOURCES describes it", () => {
    const seen: string[] = [];
    for (const g of [...core.items, ...groups.items]) {
      for (const v of g.versions) {
        for (const r of v.resources) {
          seen.push(`${g.metadata.name}/${v.version}/${r.resource}`);
          const src = RESOURCES.find((x) => x.group === g.metadata.name && x.version === v.version && x.plural === r.resource)!;
          expect(r.responseKind).toEqual({ group: src.group, version: src.version, kind: src.kind });
          expect(r.scope).toBe(src.namespaced ? "Namespaced" : "Cluster");
          expect(r.singularResource).toBe(src.singular);
          expect(r.verbs).toEqual(src.verbs);
          expect(r.shortNames).toEqual(src.shortNames);
          expect(r.categories).toEqual(src.categories);
        }
      }
    }
    expect(seen.sort()).toEqual(RESOURCES.map((r) => `${r.group}/${r.version}/${r.plural}`).sort());
  });

  it("nests subresources with their response kinds", () => {
    const pods = core.items[0].versions[0].resources.find((r: Any) => r.resource === "pods");
    expect(pods).toMatchObject({ scope: "Namespaced", shortNames: ["po"], categories: ["all"] });
    const sub = Object.fromEntries(pods.subresources.map((s: Any) => [s.subresource, s]));
    expect(sub.eviction).toEqual({ subresource: "eviction", responseKind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] });
    expect(sub.log.responseKind).toEqual({ group: "", version: "v1", kind: "Pod" });
    const apps = groups.items.find((g: Any) => g.metadata.name === "apps");
    const deploy = apps.versions[0].resources.find((r: Any) => r.resource === "deployments");
    expect(deploy.subresources.find((s: Any) => s.subresource === "scale").responseKind).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    const nodes = core.items[0].versions[0].resources.find((r: Any) => r.resource === "nodes");
    expect(nodes.scope).toBe("Cluster");
    expect(core.items[0].versions[0].resources.find((r: Any) => r.resource === "secrets").shortNames).toBeUndefined();
  });
});

describe("legacy discovery", () => {
  it("serves /api, /apis and /apis/<group>", () => {
    expect(legacyCoreVersions()).toEqual({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }] });
    const list = legacyGroupList() as Any;
    expect(list.kind).toBe("APIGroupList");
    const names = list.groups.map((g: Any) => g.name);
    expect(new Set(names)).toEqual(new Set(RESOURCES.filter((r) => r.group).map((r) => r.group)));
    expect(list.groups.find((g: Any) => g.name === "autoscaling").preferredVersion).toEqual({ groupVersion: "autoscaling/v2", version: "v2" });
    expect(legacyGroup("batch")).toEqual({
      kind: "APIGroup", apiVersion: "v1", name: "batch",
      versions: [{ groupVersion: "batch/v1", version: "v1" }], preferredVersion: { groupVersion: "batch/v1", version: "v1" },
    });
    expect(legacyGroup("nope.example.com")).toBeUndefined();
    expect(legacyGroup("")).toBeUndefined();
  });

  it("serves APIResourceLists with subresources flattened", () => {
    const v1 = apiResourceList("", "v1") as Any;
    expect(v1).toMatchObject({ kind: "APIResourceList", apiVersion: "v1", groupVersion: "v1" });
    const byName = Object.fromEntries(v1.resources.map((r: Any) => [r.name, r]));
    expect(byName.pods).toMatchObject({ singularName: "pod", namespaced: true, kind: "Pod", shortNames: ["po"], categories: ["all"] });
    expect(typeof byName.pods.storageVersionHash).toBe("string");
    expect(byName["pods/eviction"]).toEqual({ name: "pods/eviction", singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });
    expect(byName["pods/log"]).toEqual({ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
    expect(byName["namespaces/finalize"]).toMatchObject({ namespaced: false, kind: "Namespace", verbs: ["update"] });
    expect(byName.bindings.storageVersionHash).toBeUndefined();
    const apps = apiResourceList("apps", "v1") as Any;
    expect(apps.groupVersion).toBe("apps/v1");
    expect(apps.resources.find((r: Any) => r.name === "deployments/scale")).toMatchObject({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(apiResourceList("apps", "v9")).toBeUndefined();
    expect(apiResourceList("nope", "v1")).toBeUndefined();
  });
});

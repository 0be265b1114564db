// Discovery documents (/version, /api, /apis, /api/v1, /apis/<g>[/<v>]) derived from RESOURCES,
// shaped like a v1.32 kube-apiserver's, in both the aggregated (apidiscovery.k8s.io/v2) and
// the legacy forms.

import { RESOURCES, apiVersionOf, groupVersions, type ResourceType } from "./resources";

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

interface MediaRange { type: string; params: Record<string, string>; q: number; index: number }

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(",").forEach((part, index) => {
    const [type, ...rest] = part.split(";").map((s) => s.trim());
    if (!type) return;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (k === "q") q = Number.isFinite(Number(v)) ? Number(v) : 0;
      else params[k] = v;
    }
    out.push({ type: type.toLowerCase(), params, q, index });
  });
  // Highest q first; equal q keeps the client's order.
  return out.sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * Whether the request should get the aggregated APIGroupDiscoveryList. The first acceptable
 * range wins: the v2 aggregated type → true; a plain JSON or wildcard range → false. Ranges we
 * cannot produce (v2beta1, protobuf, other `as=` kinds) are skipped, as negotiation would.
 */
export function wantsAggregatedDiscovery(accept: string | null): boolean {
  if (!accept) return false;
  for (const r of parseAccept(accept)) {
    if (r.q <= 0) continue;
    const jsonish = r.type === "application/json" || r.type === "application/*" || r.type === "*/*";
    if (!jsonish) continue;
    if (r.params.as === undefined) {
      if (r.params.g === undefined && r.params.v === undefined) return false;
      continue;
    }
    if (r.params.as === "APIGroupDiscoveryList" && r.params.g === "apidiscovery.k8s.io" && r.params.v === "v2") return true;
  }
  return false;
}

/** GET /version, as a v1.32.2 kube-apiserver answers it. */
export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.2",
    gitCommit: "67a30c0adcf52bd3f56ff0893ce19966be12991f",
    gitTreeState: "clean",
    buildDate: "2025-02-12T21:19:47Z",
    goVersion: "go1.23.6",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

// kube-apiserver orders /apis by group priority (its aggregator's built-in table); kubectl
// resolves ambiguous short names in that order. Groups not listed follow in RESOURCES order.
const GROUP_PRIORITY = [
  "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
  "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
  "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
  "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
];

function namedGroups(): [string, string[]][] {
  const gv = [...groupVersions()].filter(([g]) => g !== "");
  const rank = (g: string) => { const i = GROUP_PRIORITY.indexOf(g); return i < 0 ? GROUP_PRIORITY.length : i; };
  return gv.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i).map((x) => x.e);
}

const resourcesOf = (group: string, version: string): ResourceType[] =>
  RESOURCES.filter((r) => r.group === group && r.version === version).sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));

function aggregatedResource(r: ResourceType): object {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames?.length) out.shortNames = r.shortNames;
  if (r.categories?.length) out.categories = r.categories;
  if (r.subresources?.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

function aggregatedGroup(group: string, versions: string[]): object {
  return {
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((v) => ({ version: v, resources: resourcesOf(group, v).map(aggregatedResource), freshness: "Current" })),
  };
}

/** GET /api or /apis with the aggregated Accept: an apidiscovery.k8s.io/v2 APIGroupDiscoveryList. */
export function aggregatedDiscovery(which: "core" | "groups"): object {
  const items = which === "core"
    ? [aggregatedGroup("", groupVersions().get("") ?? [])]
    : namedGroups().map(([g, vs]) => aggregatedGroup(g, vs));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}

/** GET /api (legacy). */
export function legacyCoreVersions(): object {
  return {
    kind: "APIVersions",
    versions: groupVersions().get("") ?? [],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
  };
}

function groupEntry(group: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

/** GET /apis (legacy APIGroupList). */
export function legacyGroupList(): object {
  return { kind: "APIGroupList", apiVersion: "v1", groups: namedGroups().map(([g, vs]) => groupEntry(g, vs)) };
}

/** GET /apis/<group> (legacy APIGroup); undefined for a group we do not serve. */
export function legacyGroup(group: string): object | undefined {
  if (group === "") return undefined;
  const vs = groupVersions().get(group);
  return vs ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group, vs) } : undefined;
}

// A stable stand-in for storageVersionHash (the real one is a SHA-256 prefix of the storage
// group/version/kind); only the storage version migrator reads it.
function storageHash(s: string): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822507) >>> 0;
  }
  const bytes = [h1 >>> 24, h1 >>> 16, h1 >>> 8, h1, h2 >>> 24, h2 >>> 16, h2 >>> 8, h2].map((b) => b & 0xff);
  return btoa(String.fromCharCode(...bytes));
}

/** GET /api/v1 or /apis/<group>/<version> (legacy APIResourceList); undefined if not served. */
export function apiResourceList(group: string, version: string): object | undefined {
  const rs = resourcesOf(group, version);
  if (rs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of rs) {
    const e: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames?.length) e.shortNames = r.shortNames;
    if (r.categories?.length) e.categories = r.categories;
    if (r.verbs.includes("get")) e.storageVersionHash = storageHash(`${apiVersionOf(r)}/${r.kind}`);
    resources.push(e);
    for (const s of r.subresources ?? []) {
      const se: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: "", namespaced: r.namespaced };
      // Only cross-group subresources (pods/eviction, */scale) name their group and version.
      if (s.group !== undefined && (s.group !== r.group || (s.version ?? r.version) !== r.version)) {
        se.group = s.group;
        se.version = s.version ?? r.version;
      }
      se.kind = s.kind;
      se.verbs = s.verbs;
      resources.push(se);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}

// "Reset the cluster": back to a clean cluster with the same machines and the same students, none
// of what anyone deployed. One etcd transaction, so no one ever sees half a reset; the deletes
// reach every watcher as usual, so kubelets stop the containers and controllers tidy up.
import { CREATED_BY } from "../control-plane/api-server/registry/created-by";
import { RESOURCES, isStored, registryPrefix, type ResourceType } from "../control-plane/api-server/resources";
import type { Etcd, Op } from "../control-plane/etcd/store";

const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);
/** What a namespace keeps: its quota, its service accounts and their CA bundle (set up on join). */
const KEEP_IN_NAMESPACE = new Set(["serviceaccounts", "resourcequotas", "limitranges", "roles", "rolebindings"]);
const KEEP_NAMED = new Set(["configmaps/kube-root-ca.crt", "services/default/kubernetes", "endpoints/default/kubernetes", "endpointslices/default/kubernetes"]);

// Longest prefixes first, so "/registry/apps/…" style prefixes never shadow one another.
const STORED: [string, ResourceType][] = RESOURCES.filter(isStored)
  .map((r): [string, ResourceType] => [registryPrefix(r), r])
  .filter(([p], i, all) => all.findIndex(([q]) => q === p) === i)
  .sort((a, b) => b[0].length - a[0].length);

function resourceOf(key: string): [string, ResourceType] | undefined {
  return STORED.find(([p]) => key.startsWith(p));
}

/** The keys a reset deletes, given the namespaces that stay (system, default, the students'). */
export function resetPlan(keys: { key: string; value: string }[], keepNamespace: (ns: string) => boolean): string[] {
  const out: string[] = [];
  for (const { key, value } of keys) {
    const found = resourceOf(key);
    if (!found) continue;
    const [prefix, r] = found;
    const rest = key.slice(prefix.length);
    if (!r.namespaced) {
      if (r.plural === "namespaces" && !keepNamespace(rest) && !SYSTEM_NAMESPACES.has(rest)) out.push(key);
      // Other cluster-wide objects go only if a person made them (nodes and system objects stay).
      else if (r.plural !== "namespaces" && r.plural !== "nodes" && madeByPerson(value)) out.push(key);
      continue;
    }
    const [ns, name] = [rest.slice(0, rest.indexOf("/")), rest.slice(rest.indexOf("/") + 1)];
    if (r.plural === "events") { out.push(key); continue; }
    if (SYSTEM_NAMESPACES.has(ns)) continue;
    if (keepNamespace(ns) && (KEEP_IN_NAMESPACE.has(r.plural) || KEEP_NAMED.has(`${r.plural}/${name}`) || KEEP_NAMED.has(`${r.plural}/${ns}/${name}`))) continue;
    out.push(key);
  }
  return out;
}

function madeByPerson(value: string): boolean {
  try {
    const by = JSON.parse(value)?.metadata?.annotations?.[CREATED_BY];
    return typeof by === "string" && by.startsWith("kubeclass:");
  } catch {
    return false;
  }
}

export function resetCluster(etcd: Etcd, keepNamespace: (ns: string) => boolean): number {
  const keys = resetPlan(etcd.range("/registry/").kvs, keepNamespace);
  if (keys.length === 0) return 0;
  const ops: Op[] = keys.map((key) => ({ type: "delete", key }));
  etcd.txn([], ops);
  return keys.length;
}

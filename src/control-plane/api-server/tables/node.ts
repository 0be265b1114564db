// Node and Namespace tables: printNode (STATUS from the Ready condition, ROLES from node-role labels)
// and printNamespace.

import type { Namespace, Node } from "../objects/core";
import { D } from "./descriptions";
import { age, arr, byteCompare, col, nameOf, NONE, str, UNKNOWN } from "./format";
import type { Printer } from "./types";

const ROLE_PREFIX = "node-role.kubernetes.io/";
const ROLE_LABEL = "kubernetes.io/role";

export const nodePrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    col("Age", "string", D.creationTimestamp),
    col("Version", "string", D.kubeletVersion),
    col("Internal-IP", "string", D.nodeAddresses, 1),
    col("External-IP", "string", D.nodeAddresses, 1),
    col("OS-Image", "string", D.osImage, 1),
    col("Kernel-Version", "string", D.kernelVersion, 1),
    col("Container-Runtime", "string", D.containerRuntimeVersion, 1),
  ],
  cells(node: Node, now: number): unknown[] {
    // Only the Ready condition counts; the last one of that type wins, as in the Go map.
    let ready: { status?: string } | undefined;
    for (const c of arr(node.status?.conditions)) if (c?.type === "Ready") ready = c;
    const status: string[] = [];
    if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
    if (status.length === 0) status.push("Unknown");
    if (node.spec?.unschedulable) status.push("SchedulingDisabled");

    const info = node.status?.nodeInfo ?? {};
    const orUnknown = (v: unknown) => str(v) || UNKNOWN;
    return [
      nameOf(node),
      status.join(","),
      nodeRoles(node.metadata?.labels).join(",") || NONE,
      age(node, now),
      str(info.kubeletVersion),
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      orUnknown(info.osImage),
      orUnknown(info.kernelVersion),
      orUnknown(info.containerRuntimeVersion),
    ];
  },
};

/** findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted and unique. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== "") {
      roles.add(v);
    }
  }
  return [...roles].sort(byteCompare);
}

/** The first address of a type, "<none>" if there is none. */
function nodeAddress(node: Node, type: string): string {
  const a = arr(node.status?.addresses).find((x) => x?.type === type);
  return a ? str(a.address) : NONE;
}

export const namespacePrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Status", "string", "The status of the namespace"),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(ns: Namespace, now: number): unknown[] {
    // The namespace strategy always stores a phase (Active on create); assume it when absent.
    return [nameOf(ns), str(ns.status?.phase) || "Active", age(ns, now)];
  },
};

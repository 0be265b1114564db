// Small pure helpers shared by the map, the pod detail and the events feed: a stable colour per
// student, short pod names, "is this pod one of the objects just created here?", node facts.
import { useEffect, useState } from "preact/hooks";
import type { Cluster, LiveObject } from "../live";

/** A stable colour per person, so "ana" is the same colour on every screen in the room. */
export function personColor(name: string | undefined): string {
  if (!name) return "#6b7280"; // system pods: neutral grey
  if (name === "instructor") return "#7047c2"; // the control-plane purple: the instructor "runs" the class
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  // Lightness kept low enough that white text on it stays readable on a projector.
  return `hsl(${hue} 62% 38%)`;
}

/** A short tag for a person: the name itself when short, else its start. */
export function personTag(name: string): string {
  if (name === "instructor") return "★";
  return name.length <= 7 ? name : `${name.slice(0, 6)}…`;
}

/**
 * A pod name readable on a small chip: the ReplicaSet's hash adds nothing for a class
 * ("web-6dc5cd68db-7bhgj" → "web-7bhgj"); whatever is left is cut in the middle if still long.
 */
export function shortPodName(pod: LiveObject, max = 18): string {
  let n: string = pod.metadata.name ?? "";
  const hash: string | undefined = pod.metadata.labels?.["pod-template-hash"];
  if (hash && n.includes(`-${hash}-`)) n = n.replace(`-${hash}-`, "-");
  if (n.length <= max) return n;
  const keep = max - 1;
  return `${n.slice(0, Math.ceil(keep / 2))}…${n.slice(n.length - Math.floor(keep / 2))}`;
}

const KIND_TO_RESOURCE: Record<string, keyof Cluster["objects"]> = {
  ReplicaSet: "replicasets", Deployment: "deployments", Job: "jobs", DaemonSet: "daemonsets", StatefulSet: "statefulsets",
};

/**
 * Whether a pod is (part of) something in `highlight` ("namespace/name"): its own name, any owner
 * up its chain (Pod → ReplicaSet → Deployment), or its `app` label.
 */
export function isHighlighted(pod: LiveObject, highlight: Set<string>, objects: Cluster["objects"]): boolean {
  if (highlight.size === 0) return false;
  const ns = pod.metadata.namespace ?? "";
  const hit = (name?: string) => !!name && highlight.has(`${ns}/${name}`);
  if (hit(pod.metadata.name) || hit(pod.metadata.labels?.app)) return true;
  let refs: { kind: string; name: string }[] = pod.metadata.ownerReferences ?? [];
  for (let depth = 0; depth < 4 && refs.length > 0; depth++) {
    const next: { kind: string; name: string }[] = [];
    for (const r of refs) {
      if (hit(r.name)) return true;
      const res = KIND_TO_RESOURCE[r.kind];
      const owner = res ? objects[res].get(`${ns}/${r.name}`) : undefined;
      if (owner?.metadata.ownerReferences) next.push(...owner.metadata.ownerReferences);
    }
    refs = next;
  }
  return false;
}

/** Succeeded and Failed pods hold no resources on their node. */
export function isTerminal(pod: LiveObject): boolean {
  const ph = pod.status?.phase;
  return ph === "Succeeded" || ph === "Failed";
}

/** Statuses that mean "the kubelet is getting it ready": shown with a gentle pulse. */
export function isStarting(status: string): boolean {
  if (/BackOff|Err|Error|Invalid/.test(status)) return false;
  return status === "ContainerCreating" || status === "PodInitializing" || status.startsWith("Init:") || status === "Pulling";
}

/** CPU in cores for people ("1.2", "0.25"), rounded to two decimals. */
export function cores(millis: number): string {
  return String(Math.round(millis / 10) / 100);
}

export const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** The students that have a namespace in this classroom, by name. */
export function studentsOf(objects: Cluster["objects"]): string[] {
  const out = new Set<string>();
  for (const ns of objects.namespaces.values()) {
    const n = ns.metadata.name ?? "";
    if (n.startsWith("student-")) out.add(n.slice("student-".length));
  }
  return [...out].sort(byName);
}

/** Re-renders every `ms` so ages ("12s") move even when nothing else changes. */
export function useTick(ms: number): void {
  const [, set] = useState(0);
  useEffect(() => {
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
}

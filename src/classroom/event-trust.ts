// Which Events may speak about an object in a shared classroom. A real cluster lets anyone with
// `create events` in a namespace write an Event (events.k8s.io/v1 does not even tie the regarded
// object's namespace to the Event's), so a student could write "Preempted" about a classmate's
// pod. What the classroom shows and counts about a pod is what the system components (and the
// instructor) recorded, or what the pod's own student wrote in their own namespace.
// Pure and dependency-free: the web client imports it too.

const CREATED_BY = "kubeclass.dev/created-by"; // registry/created-by.ts sets it from the authenticated user
const STUDENT_USER = "kubeclass:student:";

export interface EventLike {
  metadata: { namespace?: string; annotations?: Record<string, string> };
  involvedObject?: { namespace?: string };
  regarding?: { namespace?: string };
}

export function eventTrusted(ev: EventLike): boolean {
  const by = ev.metadata?.annotations?.[CREATED_BY];
  if (typeof by !== "string" || !by.startsWith(STUDENT_USER)) return true;
  const own = `student-${by.slice(STUDENT_USER.length)}`;
  const about = (ev.involvedObject ?? ev.regarding)?.namespace || ev.metadata.namespace;
  return ev.metadata.namespace === own && about === own;
}

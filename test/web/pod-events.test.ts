// The pod page lists a pod's Events with eventsFor (web/src/k8s.ts): Events the system recorded, or
// that a student wrote about their own pods; never one a student wrote about a classmate's pod.
import { describe, expect, it } from "vitest";
import { eventsFor } from "../../web/src/k8s";
const CREATED_BY = "kubeclass.dev/created-by"; // set by the server from the authenticated user

type Ev = Parameters<typeof eventsFor>[0] extends Iterable<infer T> ? T : never;

function ev(name: string, ns: string, about: { namespace: string; name: string }, by?: string, at = "2026-12-07T10:00:00Z"): Ev {
  return {
    apiVersion: "v1", kind: "Event",
    metadata: { name, namespace: ns, creationTimestamp: at, ...(by ? { annotations: { [CREATED_BY]: by } } : {}) },
    involvedObject: { kind: "Pod", namespace: about.namespace, name: about.name },
    reason: "Test", message: name, lastTimestamp: at,
  } as Ev;
}

describe("pod page events", () => {
  const bias = { namespace: "student-bia", name: "web" };
  const anas = { namespace: "student-ana", name: "api" };
  const events = [
    ev("scheduled", "student-bia", bias, undefined, "2026-12-07T10:00:01Z"),
    ev("forged-in-own-ns", "student-ana", bias, "kubeclass:student:ana"),
    ev("forged-in-bia-ns", "student-bia", bias, "kubeclass:student:ana"),
    ev("own", "student-ana", anas, "kubeclass:student:ana"),
    ev("instructor", "student-bia", bias, "kubeclass:instructor", "2026-12-07T10:00:02Z"),
  ];

  it("shows the system's Events about a pod, oldest first, and none a classmate forged", () => {
    expect(eventsFor(events, { kind: "Pod", ...bias }).map((e) => e.metadata.name)).toEqual(["scheduled", "instructor"]);
  });

  it("shows a student's own Events about their own pod", () => {
    expect(eventsFor(events, { kind: "Pod", ...anas }).map((e) => e.metadata.name)).toEqual(["own"]);
  });
});

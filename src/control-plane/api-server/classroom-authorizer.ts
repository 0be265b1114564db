// What RBAC would grant a student in a classroom (as if bound to the "edit" role in their own
// namespace and "view" everywhere else): create, change and delete in their own namespace; read
// everything else except Secrets outside their namespace; change nothing cluster-scoped.
import type { Attributes, Authorizer, Decision } from "./auth";

export const STUDENTS_GROUP = "kubeclass:students";
export const STUDENT_PREFIX = "kubeclass:student:";
const READ = new Set(["get", "list", "watch"]);
/** Objects a student may read but not write, even in their own namespace (set by the instructor). */
const READ_ONLY_IN_OWN = new Set(["resourcequotas", "resourcequotas/status"]);

export function studentNamespace(name: string): string {
  return `student-${name}`;
}

export const classroomAuthorizer: Authorizer = {
  authorize(a: Attributes): Decision {
    if (!a.user.groups.includes(STUDENTS_GROUP) || !a.user.username.startsWith(STUDENT_PREFIX)) return { allowed: false };
    const own = studentNamespace(a.user.username.slice(STUDENT_PREFIX.length));
    if (!a.isResourceRequest) return { allowed: a.verb === "get" }; // discovery, /version, OpenAPI
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    if (a.group === "authorization.k8s.io" && a.verb === "create") return { allowed: true }; // "can I?"
    if (a.group === "metrics.k8s.io") return { allowed: READ.has(a.verb) };
    if (a.namespace === own) {
      if (READ_ONLY_IN_OWN.has(res)) return { allowed: READ.has(a.verb) };
      return { allowed: true };
    }
    if (!READ.has(a.verb)) return { allowed: false };
    // Other people's Secrets stay theirs; a list across namespaces would include them.
    if (a.resource === "secrets" && a.group === "") return { allowed: false };
    return { allowed: true };
  },
};

// Authentication (who is calling) and authorization (may they), the two gates every request
// passes in kube-apiserver before it reaches storage.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(a: Attributes): Decision;
}

/**
 * The built-in superuser rule: members of system:masters may do anything (that is what the
 * instructor's kubeconfig carries). Everyone else is denied until an RBAC authorizer allows them.
 */
export const mastersAuthorizer: Authorizer = {
  authorize(a) {
    if (a.user.groups.includes("system:masters")) return { allowed: true };
    return { allowed: false, reason: "" };
  },
};

/** The real Forbidden text, e.g. `pods "x" is forbidden: User "ana" cannot delete resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: Attributes, reason?: string): string {
  const who = `User "${a.user.username}"`;
  let msg: string;
  if (!a.isResourceRequest) {
    msg = `forbidden: ${who} cannot ${a.verb} path "${a.path}"`;
  } else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
    const subject = a.name ? `${qualified} "${a.name}"` : qualified;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    msg = `${subject} is forbidden: ${who} cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
  }
  return reason ? `${msg}: ${reason}` : msg;
}

/** Tokens are stored hashed, so a leaked database does not leak credentials. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** 32 random bytes, URL-safe: far above the 128 bits an unguessable credential needs. */
export function randomToken(bytes = 32): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

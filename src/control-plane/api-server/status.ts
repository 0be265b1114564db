// Errors as kube-apiserver reports them: a metav1.Status with reason, code and details,
// with the same message texts kubectl prints after "Error from server (Reason): ".
import { NO_SPACE_MESSAGE, TOO_LARGE_MESSAGE } from "../etcd/quota";
import type { ResourceType } from "./resources";
import type { Status, StatusCause } from "./types";

export class ApiError extends Error {
  constructor(public readonly status: Status, public readonly headers: Record<string, string> = {}) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: Status["details"]): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) s.details = details;
  return s;
}

/** "pods" or "deployments.apps", the way errors name a resource. */
export function qualified(r: Pick<ResourceType, "plural" | "group">): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

const det = (r: Pick<ResourceType, "plural" | "group">, name?: string) => {
  const d: Status["details"] = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
};

export const errors = {
  notFound: (r: Pick<ResourceType, "plural" | "group">, name: string) =>
    new ApiError(failure(404, "NotFound", `${qualified(r)} "${name}" not found`, det(r, name))),
  notFoundMessage: (message: string) => new ApiError(failure(404, "NotFound", message, {})),
  pathNotFound: () => new ApiError(failure(404, "NotFound", "the server could not find the requested resource", {})),
  alreadyExists: (r: Pick<ResourceType, "plural" | "group">, name: string) =>
    new ApiError(failure(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, det(r, name))),
  conflict: (r: Pick<ResourceType, "plural" | "group">, name: string, why = "the object has been modified; please apply your changes to the latest version and try again") =>
    new ApiError(failure(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, det(r, name))),
  conflictMessage: (message: string, r?: Pick<ResourceType, "plural" | "group">, name?: string) =>
    new ApiError(failure(409, "Conflict", message, r ? det(r, name) : undefined)),
  invalid: (r: Pick<ResourceType, "kind" | "group">, name: string, causes: StatusCause[]) => {
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
    const kind = r.group ? `${r.kind}.${r.group}` : r.kind;
    const d: Status["details"] = { name, kind: r.kind, causes };
    if (r.group) d.group = r.group;
    return new ApiError(failure(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, d));
  },
  badRequest: (message: string) => new ApiError(failure(400, "BadRequest", message)),
  unauthorized: () => new ApiError(failure(401, "Unauthorized", "Unauthorized")),
  forbidden: (message: string, r?: Pick<ResourceType, "plural" | "group">, name?: string) =>
    new ApiError(failure(403, "Forbidden", message, r ? det(r, name) : undefined)),
  methodNotAllowed: () => new ApiError(failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")),
  notAcceptable: (message: string) => new ApiError(failure(406, "NotAcceptable", message)),
  gone: (message: string) => new ApiError(failure(410, "Expired", message)),
  tooLarge: (message = "Request entity too large: limit is 3145728") => new ApiError(failure(413, "RequestEntityTooLarge", message)),
  unsupportedMediaType: (contentType: string) =>
    new ApiError(failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType || "none"})`)),
  tooManyRequests: (message: string, retryAfterSeconds: number) =>
    new ApiError(failure(429, "TooManyRequests", message, { retryAfterSeconds }), { "Retry-After": String(retryAfterSeconds) }),
  // etcd refusals (etcd/quota.ts). kube-apiserver answers the quota with 500; here nothing a
  // student sends may produce a 5xx, so it is 403, with etcd's own message.
  databaseSpaceExceeded: () => new ApiError(failure(403, "Forbidden", NO_SPACE_MESSAGE)),
  requestTooLarge: () => new ApiError(failure(413, "RequestEntityTooLarge", TOO_LARGE_MESSAGE)),
  // apierrors.NewInternalError: the error itself is the one cause.
  internal: (message: string) => new ApiError(failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message } as StatusCause] })),
};

export function successStatus(details?: Status["details"]): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 } as Status;
  if (details) s.details = details;
  return s;
}

import type { StatusCause } from "../types";

/**
 * An error from applying a patch, carrying the HTTP status the real kube-apiserver answers with:
 * 400 BadRequest for undecodable/malformed patch documents, 422 for a patch that cannot apply,
 * 409 Conflict for server-side apply conflicts, and 422 (the real apiserver says 500) where it
 * passes a plain Go error through (e.g. a merge-list item without its merge key).
 */
export class PatchError extends Error {
  constructor(
    message: string,
    public code: number = 422,
    public reason: string = "Invalid",
    /** Field-level causes, e.g. one FieldManagerConflict per conflicting field for SSA. */
    public causes?: StatusCause[],
  ) {
    super(message);
    this.name = "PatchError";
  }
}

export const badRequest = (msg: string) => new PatchError(msg, 400, "BadRequest");
export const unprocessable = (msg: string) => new PatchError(msg, 422, "Invalid");
// The real apiserver answers these malformed-patch cases with a 500; kubeclass never answers
// bad input with a 5xx, so they are 422 Invalid with the same message.
export const internal = (msg: string) => new PatchError(msg, 422, "Invalid");

// Where a classroom object's refusal becomes the Worker's error again: the ApiError it was inside
// the object (src/classroom/refusal.ts), which the app's error handler answers with its Status.
import { ApiError } from "../control-plane/api-server/status";
import type { Result } from "../classroom/refusal";

/** A call's value, or its refusal thrown. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.status, r.headers);
}

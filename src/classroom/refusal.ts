// The one way the classroom refuses a call: a Kubernetes Status, built with the API server's
// errors.* and thrown as its ApiError inside the object, returned over RPC as a Refusal value
// (a thrown error crosses RPC as a bare Error: its code, reason and causes would be lost). The
// Worker throws it again as the same ApiError in one place (src/api/refusal.ts), and answers it
// as it answers every other error (errorResponse).
import { ApiError, errors } from "../control-plane/api-server/status";
import type { Status, StatusCause } from "../control-plane/api-server/types";

/** A failure's Status as it crosses RPC: its `metadata` is always empty (and `unknown` cannot cross). */
export type RefusalStatus = Omit<Status, "metadata"> & { metadata: Record<string, never> };
export interface Refusal { ok: false; status: RefusalStatus; headers: Record<string, string> }
/** What a method that may refuse returns over RPC. */
export type Result<T> = { ok: true; value: T } | Refusal;

export function refusal(e: ApiError): Refusal {
  return { ok: false, status: { ...e.status, metadata: {} }, headers: e.headers };
}

/** Runs a call that may refuse: its ApiError comes back as a Refusal; any other error is a fault and stays thrown. */
export async function settle<T>(call: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    if (e instanceof ApiError) return refusal(e);
    throw e;
  }
}

/** kubeclass's own objects in its Status texts, e.g. `Classroom.kubeclass.dev "" is invalid: max: …`. */
export const KUBECLASS = (kind: string) => ({ kind, group: "kubeclass.dev" });

/** A field of a kubeclass API request refused (422 Invalid), named as the request names it. */
export function invalidField(field: string, message: string, kind = "Classroom", name = ""): ApiError {
  const cause: StatusCause = { reason: "FieldValueInvalid", message, field };
  return errors.invalid(KUBECLASS(kind), name, [cause]);
}

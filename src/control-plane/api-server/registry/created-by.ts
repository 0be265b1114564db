// Every object records who created it, set by the server from the authenticated user and never
// taken from the client, so a classroom can always tell whose pod is whose.
import { resourceForKind } from "../resources";
import type { AdmissionHook } from "./store";

export const CREATED_BY = "kubeclass.dev/created-by";

export const recordCreator: AdmissionHook = (op, _r, obj, old, ctx, reg) => {
  if (op === "DELETE") return;
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (op === "CREATE") annotations[CREATED_BY] = inheritedCreator(obj, reg) ?? ctx.user.username;
  else if (old?.metadata.annotations?.[CREATED_BY] !== undefined) annotations[CREATED_BY] = old.metadata.annotations[CREATED_BY];
  else delete annotations[CREATED_BY];
  obj.metadata.annotations = annotations;
};

/** A controller's object belongs to whoever made its owner (a student's Deployment → their pods). */
function inheritedCreator(obj: Parameters<AdmissionHook>[2], reg: Parameters<AdmissionHook>[5]): string | undefined {
  const ref = obj.metadata.ownerReferences?.find((o) => o.controller);
  if (!ref) return undefined;
  const r = resourceForKind(ref.apiVersion, ref.kind);
  if (!r) return undefined;
  const owner = reg.tryGet(r, r.namespaced ? obj.metadata.namespace : undefined, ref.name);
  return owner?.metadata.uid === ref.uid ? owner.metadata.annotations?.[CREATED_BY] : undefined;
}

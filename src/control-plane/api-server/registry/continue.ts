// List continuation tokens as kube-apiserver's storage encodes them (apiserver/pkg/storage/
// continue.go): base64 of {"v":"meta.k8s.io/v1","rv":…,"start":…}, the key to resume after,
// relative to the list's prefix.
import { errors } from "../status";

export function encodeContinue(rv: number, start: string, prefix: string): string {
  return btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv, start: start.slice(prefix.length) })).replace(/=+$/, "");
}

export function decodeContinue(token: string, prefix: string): string {
  try {
    const { v, start } = JSON.parse(atob(token));
    if (v !== "meta.k8s.io/v1" || typeof start !== "string") throw new Error();
    return prefix + start;
  } catch {
    throw errors.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
}

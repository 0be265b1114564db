// Names the server makes (apiserver/pkg/storage/names/generate.go: generateName plus five random
// characters from an alphabet without vowels) and the name admission refusals speak of.
import type { KubeObject } from "../types";

const NAME_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** Objects whose name the server generated during this create (a WeakSet: nothing to clean up). */
export const generatedNames = new WeakSet<KubeObject>();

/**
 * The name admission refusals speak of. kube-apiserver's admission sees an object before its name
 * is generated, so a controller's refused create reads `pods "web-5cf69f77cc-" is forbidden: …`
 * (admission.NewForbidden falls back to generateName): the same message every time, which also
 * keeps a controller's failure condition from changing on every retry.
 */
export function admissionName(obj: KubeObject): string {
  return generatedNames.has(obj) ? obj.metadata.generateName ?? "" : obj.metadata.name ?? "";
}

export function generateName(base: string): string {
  const b = crypto.getRandomValues(new Uint8Array(5));
  return base.slice(0, 58) + [...b].map((x) => NAME_SUFFIX_CHARS[x % NAME_SUFFIX_CHARS.length]).join("");
}

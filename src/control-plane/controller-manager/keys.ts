// Small pieces every controller uses: "namespace/name" work-queue keys, and deletes that may
// find the object already gone (another controller, or the garbage collector, was first).
import { ApiError } from "../api-server/status";
import type { KubeObject } from "../api-server/types";

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

export const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

export function tolerateGone(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError && e.status.code === 404)) throw e;
  }
}

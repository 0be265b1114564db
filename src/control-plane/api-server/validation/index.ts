// Object validation with the texts of the real API server (stub; filled in below).
import type { KubeObject, StatusCause } from "../types";

export function validateCreate(_obj: KubeObject): StatusCause[] {
  return [];
}

export function validateUpdate(_obj: KubeObject, _old: KubeObject): StatusCause[] {
  return [];
}

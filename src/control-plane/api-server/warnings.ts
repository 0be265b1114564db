// Warnings (the HTTP `Warning: 299` header kubectl prints) for what is accepted and stored but
// not simulated, so a student is never silently misled.
import type { PodSpec } from "./objects/core";
import type { KubeObject } from "./types";

const SIMULATED_VOLUMES = new Set(["name", "emptyDir", "configMap", "secret", "downwardAPI", "projected"]);

function podSpecOf(obj: KubeObject): PodSpec | undefined {
  if (obj.kind === "Pod") return obj.spec;
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

export function simulationWarnings(obj: KubeObject): string[] {
  const out: string[] = [];
  const spec = podSpecOf(obj);
  if (spec && typeof spec === "object") {
    for (const v of spec.volumes ?? []) {
      const kinds = Object.keys(v ?? {}).filter((k) => !SIMULATED_VOLUMES.has(k));
      for (const k of kinds) out.push(`volume "${v.name}" uses ${k}, which kubeclass stores but does not simulate (no storage backend)`);
    }
    if (spec.hostNetwork) out.push("spec.hostNetwork is stored but not simulated: pods always get an IP from the node's pod CIDR");
  }
  if (obj.kind === "Service" && obj.spec?.type === "ExternalName") out.push("Services of type ExternalName are stored but kubeclass does not simulate DNS");
  return out;
}

/** Encodes warnings as HTTP Warning header values (RFC 7234 warn-code 299). */
export function warningHeaders(warnings: string[]): [string, string][] {
  return [...new Set(warnings)].map((w) => ["Warning", `299 - "${w.replace(/["\\]/g, "\\$&")}"`]);
}

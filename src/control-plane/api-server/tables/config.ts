// Tables for the simple namespaced and cluster kinds: ConfigMap, Secret, ServiceAccount,
// ResourceQuota, Lease, PriorityClass (printConfigMap, printSecret, ... in printers.go).

import type { ConfigMap, ResourceQuota, Secret, ServiceAccount } from "../objects/core";
import type { Lease, PriorityClass } from "../objects/others";
import { D } from "./descriptions";
import { age, arr, byteCompare, col, count, int, nameOf, quantityString, str } from "./format";
import type { Printer } from "./types";

export const configMapPrinter: Printer = {
  columns: [col("Name", "string", D.name, 0, "name"), col("Data", "string", D.configMapData), col("Age", "string", D.creationTimestamp)],
  cells(cm: ConfigMap, now: number): unknown[] {
    return [nameOf(cm), count(cm.data) + count(cm.binaryData), age(cm, now)];
  },
};

export const secretPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Type", "string", D.secretType),
    col("Data", "string", D.secretData),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(secret: Secret, now: number): unknown[] {
    // The real server merges stringData into data on write; count the union in case it was stored as sent.
    const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
    return [nameOf(secret), str(secret.type) || "Opaque", keys.size, age(secret, now)];
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [col("Name", "string", D.name, 0, "name"), col("Secrets", "string", D.serviceAccountSecrets), col("Age", "string", D.creationTimestamp)],
  cells(sa: ServiceAccount, now: number): unknown[] {
    return [nameOf(sa), arr(sa.secrets).length, age(sa, now)];
  },
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(rq: ResourceQuota, now: number): unknown[] {
    // "resource: used/hard" for every resource in status.hard, sorted; limits.* go to LIMIT.
    const hard: Record<string, unknown> = rq.status?.hard ?? {};
    const used: Record<string, unknown> = rq.status?.used ?? {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const name of Object.keys(hard).sort(byteCompare)) {
      const pieces = name.split(".");
      const target = pieces.length > 1 && pieces[0] === "limits" ? limit : request;
      const usedQ = used[name] === undefined ? "0" : quantityString(used[name]);
      target.push(`${name}: ${usedQ}/${quantityString(hard[name])}`);
    }
    return [nameOf(rq), request.join(", "), limit.join(", "), age(rq, now)];
  },
};

export const leasePrinter: Printer = {
  columns: [col("Name", "string", D.name, 0, "name"), col("Holder", "string", D.holderIdentity), col("Age", "string", D.creationTimestamp)],
  cells(lease: Lease, now: number): unknown[] {
    return [nameOf(lease), str(lease.spec?.holderIdentity), age(lease, now)];
  },
};

export const priorityClassPrinter: Printer = {
  // PREEMPTIONPOLICY has priority 0 in the real server too, so it shows without -o wide.
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Value", "integer", D.priorityValue),
    col("Global-Default", "boolean", D.globalDefault),
    col("Age", "string", D.creationTimestamp),
    col("PreemptionPolicy", "string", D.preemptionPolicy),
  ],
  cells(pc: PriorityClass, now: number): unknown[] {
    // Defaulting sets preemptionPolicy to PreemptLowerPriority.
    return [nameOf(pc), int(pc.value), pc.globalDefault === true, age(pc, now), str(pc.preemptionPolicy) || "PreemptLowerPriority"];
  },
};

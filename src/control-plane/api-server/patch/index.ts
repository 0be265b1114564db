// The PATCH body formats kube-apiserver accepts, as pure functions over JSON objects:
// merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch, server-side apply,
// plus the managedFields bookkeeping every write records.

export { PatchError } from "./errors";
export { applyMergePatch, createMergePatch } from "./merge-patch";
export { applyJsonPatch } from "./json-patch";
export { applyStrategicMergePatch } from "./strategic-merge";
export { serverSideApply } from "./server-side-apply";
export { updateManagedFields } from "./managed-fields";
export { schemaFor, type SchemaNode } from "./patch-schema";

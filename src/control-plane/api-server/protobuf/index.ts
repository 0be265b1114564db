// Decodes the `application/vnd.kubernetes.protobuf` request bodies kubectl's typed client sends
// (create namespace/configmap/secret/deployment/service/job/cronjob/..., autoscale, auth can-i,
// drain's DELETE) into the JSON object kubectl would have sent with application/json.
import { decodeMessage } from "./decode.js";
import { decodeUtf8, ProtobufError, Reader, WIRE_LEN } from "./wire.js";
import "./types-apis.js";

export { ProtobufError } from "./wire.js";
export { unresolvedReferences } from "./schema.js";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** Every body starts with these four bytes: "k8s" and a NUL. */
const MAGIC = [0x6b, 0x38, 0x73, 0x00] as const;

/** apiVersion → kind → message table name. */
const KINDS: Record<string, Record<string, string>> = {
  v1: {
    Namespace: "Namespace",
    ConfigMap: "ConfigMap",
    Secret: "Secret",
    Service: "Service",
    ServiceAccount: "ServiceAccount",
    ResourceQuota: "ResourceQuota",
    Pod: "Pod",
  },
  "apps/v1": { Deployment: "Deployment" },
  "batch/v1": { Job: "Job", CronJob: "CronJob" },
  "autoscaling/v1": { HorizontalPodAutoscaler: "HorizontalPodAutoscaler" },
  "authorization.k8s.io/v1": { SelfSubjectAccessReview: "SelfSubjectAccessReview" },
  "authentication.k8s.io/v1": { TokenRequest: "TokenRequest" },
  "scheduling.k8s.io/v1": { PriorityClass: "PriorityClass" },
  "policy/v1": { Eviction: "Eviction", PodDisruptionBudget: "PodDisruptionBudget" },
  "rbac.authorization.k8s.io/v1": {
    Role: "Role",
    ClusterRole: "ClusterRole",
    RoleBinding: "RoleBinding",
    ClusterRoleBinding: "RoleBinding", // same fields and numbers
  },
  "networking.k8s.io/v1": { Ingress: "Ingress" },
};

function tableFor(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version, so a DELETE may name any of them.
  if (kind === "DeleteOptions") return "DeleteOptions";
  return KINDS[apiVersion]?.[kind];
}

/** True if the kind/apiVersion pair has a table (lets the server pick 415 before reading the body). */
export function isSupportedKind(apiVersion: string, kind: string): boolean {
  return tableFor(apiVersion, kind) !== undefined;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Parses runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}. */
function readEnvelope(body: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: "", kind: "", raw: new Uint8Array(0), contentEncoding: "", contentType: "" };
  const r = new Reader(body, MAGIC.length);
  while (!r.done) {
    const [num, wire] = r.tag();
    if (wire !== WIRE_LEN || num > 4) {
      r.skip(wire);
      continue;
    }
    const bytes = r.bytes();
    if (num === 1) {
      const tm = new Reader(bytes);
      while (!tm.done) {
        const [n, w] = tm.tag();
        if (w === WIRE_LEN && n === 1) env.apiVersion = decodeUtf8(tm.bytes());
        else if (w === WIRE_LEN && n === 2) env.kind = decodeUtf8(tm.bytes());
        else tm.skip(w);
      }
    } else if (num === 2) env.raw = bytes;
    else if (num === 3) env.contentEncoding = decodeUtf8(bytes);
    else env.contentType = decodeUtf8(bytes);
  }
  return env;
}

/**
 * Decodes a Kubernetes protobuf body into the object's JSON form: apiVersion and kind from the envelope,
 * omitempty fields left out, Quantity as string, Time as RFC3339, IntOrString as number or string,
 * []byte as base64. Throws ProtobufError for malformed input or kinds without a table.
 */
export function decodeKubeProtobuf(body: Uint8Array): Record<string, unknown> {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufError("body does not start with the k8s protobuf magic");
  }
  const env = readEnvelope(body);
  if (env.contentEncoding !== "") throw new ProtobufError(`unsupported content encoding ${env.contentEncoding}`);
  if (env.kind === "" || env.apiVersion === "") throw new ProtobufError("envelope is missing apiVersion or kind");
  const table = tableFor(env.apiVersion, env.kind);
  if (!table) throw new ProtobufError(`no protobuf support for ${env.apiVersion}, Kind=${env.kind}`);
  return { kind: env.kind, apiVersion: env.apiVersion, ...decodeMessage(table, env.raw) };
}

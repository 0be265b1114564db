// Request bodies in (JSON, YAML, protobuf; 3 MiB at most) and responses out (JSON, Table,
// PartialObjectMetadata), negotiated from Content-Type and Accept as kube-apiserver does.
import { parse as parseYaml } from "yaml";
import { EtcdNoSpaceError, EtcdRequestTooLargeError } from "../etcd/quota";
import { DepthError, jsonTextTooDeep, MAX_BODY_DEPTH, summarizeData, valueTooDeep } from "./depth";
import { decodeKubeProtobuf, ProtobufError, PROTOBUF_CONTENT_TYPE } from "./protobuf";
import { ApiError, errors } from "./status";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Request): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    await req.body?.cancel();
    throw errors.tooLarge();
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw errors.tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.byteLength; }
  return out;
}

export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * An object body (create, update): JSON, YAML or protobuf. With `kind` (the type the endpoint
 * decodes into), a body too deeply nested gets transformDecodeError's text, as create.go and
 * update.go give it: the decoder cannot even read the body's kind.
 */
export function decodeObject(body: Uint8Array, contentType: string | null, kind?: string): Record<string, unknown> {
  const mt = mediaType(contentType);
  if (body.byteLength === 0) throw errors.badRequest("the request body is empty");
  if (mt === PROTOBUF_CONTENT_TYPE) {
    try {
      return decodeKubeProtobuf(body);
    } catch (e) {
      if (e instanceof ProtobufError) throw errors.badRequest(`failed to decode protobuf body: ${e.message}`);
      throw e;
    }
  }
  const text = new TextDecoder().decode(body);
  let value: unknown;
  const unrecognized = (why: string) => errors.badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summarizeData(body)})`);
  if (mt === "application/json" || mt === "" || mt === "*/*")
    value = parseJson(text, kind ? (e) => unrecognized(`couldn't get version/kind; json parse error: ${e}`) : undefined);
  else if (mt === "application/yaml" || mt === "application/apply-patch+yaml") value = parseYamlDoc(text, kind ? unrecognized : undefined);
  else throw errors.unsupportedMediaType(mt);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw errors.badRequest("the request body must be a single object");
  return value as Record<string, unknown>;
}

/** JSON text, refused (Go's scanner text) when nested deeper than MAX_BODY_DEPTH. */
export function parseJson(text: string, tooDeep: (message: string) => ApiError = errors.badRequest): unknown {
  const c = jsonTextTooDeep(text);
  if (c) throw tooDeep(new DepthError(c).message);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

// go-yaml's text is "yaml: line N: exceeded max depth of 10000"; ours names our bound and no line.
const YAML_TOO_DEEP = `error converting YAML to JSON: yaml: exceeded max depth of ${MAX_BODY_DEPTH}`;

export function parseYamlDoc(text: string, tooDeep: (message: string) => ApiError = errors.badRequest): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    // The parser recurses per level: a stack overflow is a document nested too deeply.
    if (e instanceof RangeError || /Maximum call stack size exceeded/.test((e as Error).message)) throw tooDeep(YAML_TOO_DEEP);
    throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (valueTooDeep(value, MAX_BODY_DEPTH)) throw tooDeep(YAML_TOO_DEEP);
  return value;
}

export type OutputAs = "object" | "table" | "partial";

/** Which representation the client asked for in Accept (first one we can serve wins). */
export function negotiateOutput(accept: string | null): OutputAs {
  for (const part of (accept ?? "").split(",")) {
    const params = new Map(part.split(";").slice(1).map((p) => p.trim().split("=") as [string, string]));
    const as = params.get("as");
    if (!as) return "object";
    if (params.get("g") !== "meta.k8s.io") continue;
    if (as === "Table" && (params.get("v") === "v1" || params.get("v") === "v1beta1")) return "table";
    if ((as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") && params.get("v") === "v1") return "partial";
  }
  if (/as=/.test(accept ?? "") && !/(^|,)\s*application\/(json|\*)\s*(,|$)|\*\/\*/.test(accept ?? ""))
    throw errors.notAcceptable("only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");
  return "object";
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof ApiError) return jsonResponse(e.status, e.status.code, e.headers);
  if (e instanceof EtcdNoSpaceError) return errorResponse(errors.databaseSpaceExceeded());
  if (e instanceof EtcdRequestTooLargeError) return errorResponse(errors.requestTooLarge());
  console.error("internal error", e);
  const err = errors.internal((e as Error)?.message ?? String(e));
  return jsonResponse(err.status, 500);
}

// Turns a request path into what kube-apiserver's RequestInfoFactory derives: API group,
// version, namespace, resource, name, subresource and the Kubernetes verb.

import { errors } from "./status";

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string; // get list watch create update patch delete deletecollection
  apiPrefix?: "api" | "apis";
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

const utf8 = new TextDecoder("utf-8"); // not fatal: invalid bytes become U+FFFD, as no name can hold them

/**
 * A path segment unescaped as Go's url.PathUnescape: any %XX is a byte (%ff too, which
 * decodeURIComponent refuses), a bad escape is the client's error (400, as Go's HTTP server).
 */
export function unescapeSegment(seg: string): string {
  if (!seg.includes("%")) return seg;
  if (/%(?![0-9a-fA-F]{2})/.test(seg)) throw errors.badRequest(`invalid URL escape ${JSON.stringify(/%.{0,2}/.exec(seg.slice(seg.search(/%(?![0-9a-fA-F]{2})/)))![0])}`);
  const bytes: number[] = [];
  for (let i = 0; i < seg.length; i++) {
    if (seg[i] === "%") {
      bytes.push(parseInt(seg.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(seg[i]));
  }
  return utf8.decode(new Uint8Array(bytes));
}

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split("/").filter((p) => p !== "").map(unescapeSegment);
  const base: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), group: "", version: "" };
  if (parts[0] !== "api" && parts[0] !== "apis") return base;
  const apiPrefix = parts[0] as "api" | "apis";
  let rest = parts.slice(1);
  let group = "";
  if (apiPrefix === "apis") {
    if (rest.length === 0) return { ...base, apiPrefix };
    group = rest[0];
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { ...base, apiPrefix, group };
  const version = rest[0];
  rest = rest.slice(1);
  if (rest.length === 0) return { ...base, apiPrefix, group, version };

  const info: RequestInfo = { ...base, isResourceRequest: true, apiPrefix, group, version };
  if (rest[0] === "namespaces") {
    if (rest.length === 1) rest = ["namespaces"];
    else if (rest.length === 2) rest = ["namespaces", rest[1]];
    else if (rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize")) rest = ["namespaces", rest[1], rest[2]];
    else {
      info.namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  info.resource = rest[0];
  if (rest.length >= 2) info.name = rest[1];
  if (rest.length >= 3) info.subresource = rest[2];

  const isWatch = queryBool(query, "watch");
  switch (method) {
    case "GET":
    case "HEAD":
      info.verb = info.name ? "get" : isWatch ? "watch" : "list";
      if (isWatch && info.name === undefined) info.verb = "watch";
      break;
    case "POST": info.verb = "create"; break;
    case "PUT": info.verb = "update"; break;
    case "PATCH": info.verb = "patch"; break;
    case "DELETE": info.verb = info.name ? "delete" : "deletecollection"; break;
    default: info.verb = method.toLowerCase();
  }
  return info;
}

/**
 * A boolean query parameter as kube-apiserver decodes one (apimachinery's
 * Convert_Slice_string_To_bool): absent, "0" or "false" in any case is false, anything else,
 * even empty, is true. The Python client sends `watch=True`.
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v !== null && v !== "0" && v.toLowerCase() !== "false";
}

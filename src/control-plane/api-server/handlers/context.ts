// What every REST handler gets: the parsed request, the caller, the clock and the storage layer.
import type { UserInfo } from "../auth";
import type { Registry, WriteCtx } from "../registry/store";
import type { RequestInfo } from "../request-info";
import type { ResourceType } from "../resources";
import type { OutputOpts } from "./output";
import { errors } from "../status";

export interface LogRequest {
  namespace: string;
  pod: string;
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  timestamps: boolean;
  sinceSeconds?: number;
  /** Who follows (the node shares its `logs -f` streams fairly between people). */
  user?: string;
}

/** Where pod logs come from: the node that runs the pod (the data plane provides it). */
export type LogSource = (req: LogRequest, pod: import("../types").KubeObject) => Promise<Response | string>;

export interface ReqCtx {
  req: Request;
  url: URL;
  info: RequestInfo;
  /** The resource as the URL names it (what responses are shaped as). */
  r: ResourceType;
  /** The resource as stored (what the registry reads and writes). */
  sr: ResourceType;
  user: UserInfo;
  now: Date;
  registry: Registry;
  out: OutputOpts;
  warnings: string[];
  logs?: LogSource;
}

export function writeCtx(c: ReqCtx): WriteCtx {
  const q = c.url.searchParams;
  const dry = q.getAll("dryRun");
  for (const d of dry) if (d !== "All") throw errors.badRequest(`Invalid dryRun value: ${d}`);
  const ua = c.req.headers.get("user-agent") ?? "";
  return {
    user: c.user,
    now: c.now,
    dryRun: dry.length > 0,
    fieldManager: q.get("fieldManager") ?? (ua.split("/")[0] || "unknown"),
    warnings: c.warnings,
  };
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

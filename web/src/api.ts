// Calls to kubeclass's own API (/api/classrooms/...) and to a classroom's Kubernetes API
// (/clusters/<id>/...), with the caller's token. kubeclass's calls go through hono's typed client
// over the server's routes (src/api/app.ts, AppType; a type-only import, so nothing of the server
// is bundled): a route or answer the server changes breaks this build. The Kubernetes API is
// passed through unchanged (the server's answer is the API server's own, typed by no route), so
// its calls take a path and answer unknown JSON. Failures arrive as metav1.Status; ApiError keeps
// its reason and field causes so forms can show each error at its field.
import { hc, type ClientResponse, type InferResponseType } from "hono/client";
import type { AppType } from "../../src/api/app";
import type { CreateClassroomBody } from "../../src/api/classrooms";

export type { CreateClassroomBody };

export interface Cause { field?: string; message?: string; reason?: string }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly reason?: string, readonly causes: Cause[] = []) {
    super(message);
  }
}

/** The server's routes, typed; paths are relative to the page's origin. */
export const routes = (headers: Record<string, string> = {}) => hc<AppType>("", { headers });
/** One classroom's kubeclass routes (path parameter `id`). */
export type Kubeclass = ReturnType<typeof routes>["api"]["classrooms"][":id"];
/** What a classroom answers when created (POST /api/classrooms). */
export type CreatedClassroom = InferResponseType<ReturnType<typeof routes>["api"]["classrooms"]["$post"]>;
/** What a student gets on joining: their namespace, token and kubeconfig. */
export type Student = InferResponseType<Kubeclass["students"]["$post"]>;

/** A route's JSON answer when it succeeds (a route may also answer other formats, e.g. CSV). */
type JsonOf<R> = R extends ClientResponse<infer T, infer _S, "json"> ? T : never;
/** What is read of an answer: a fetch Response, or the typed client's. */
type Answer = Pick<Response, "ok" | "status" | "statusText" | "text">;

/** The response, or ApiError(0) when the network failed. */
async function reach<R extends Answer>(request: Promise<R>): Promise<R> {
  try {
    return await request;
  } catch (e) {
    throw new ApiError(0, `network error: ${(e as Error).message}`);
  }
}

/** A failure's Status as ApiError; the body is what the server sent (JSON, or text). */
function failure(res: Answer, body: unknown): ApiError {
  const status = typeof body === "object" && body !== null ? (body as { message?: unknown; reason?: unknown; details?: { causes?: Cause[] } }) : {};
  const message = typeof status.message === "string" && status.message ? status.message : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, message, typeof status.reason === "string" ? status.reason : undefined, status.details?.causes ?? []);
}

/** The JSON (or, if it is none, the text) of an answer; a failure is thrown as ApiError. */
async function body(request: Promise<Answer>): Promise<unknown> {
  const res = await reach(request);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) throw failure(res, parsed);
  return parsed;
}

/** A kubeclass call's JSON answer, typed by its route. */
export async function json<R extends ClientResponse<unknown, number, string>>(request: Promise<R>): Promise<JsonOf<R>> {
  return (await body(request)) as JsonOf<R>;
}

/** A call's answer as text (a download: CSV, a snapshot); a failure is thrown as ApiError. */
export async function text(request: Promise<Answer>): Promise<string> {
  const res = await reach(request);
  const t = await res.text();
  if (!res.ok) {
    let parsed: unknown = t;
    try {
      parsed = JSON.parse(t);
    } catch {
      // not a Status: the text is the message
    }
    throw typeof parsed === "object" && parsed !== null ? failure(res, parsed) : new ApiError(res.status, t);
  }
  return t;
}

export class Api {
  /** This classroom's kubeclass routes, with the token; every call passes `param: api.id`. */
  readonly kc: Kubeclass;
  readonly id: { id: string };

  constructor(readonly classroomId: string, readonly token: string) {
    this.kc = routes({ authorization: `Bearer ${token}`, accept: "application/json" }).api.classrooms[":id"];
    this.id = { id: classroomId };
  }

  private headers(contentType?: string): Record<string, string> {
    const h: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (contentType) h["content-type"] = contentType;
    return h;
  }

  /** A Kubernetes API request, e.g. k8s("GET", "/api/v1/namespaces/default/pods"). */
  k8s(method: string, path: string, payload?: unknown, contentType = "application/json"): Promise<unknown> {
    const init: RequestInit = { method, headers: this.headers(payload === undefined ? undefined : contentType) };
    if (payload !== undefined) init.body = typeof payload === "string" ? payload : JSON.stringify(payload);
    return body(fetch(`/clusters/${this.classroomId}${path}`, init));
  }

  /** Plain text from the Kubernetes API (pod logs). */
  logs(path: string): Promise<string> {
    return text(fetch(`/clusters/${this.classroomId}${path}`, { headers: { authorization: `Bearer ${this.token}` } }));
  }
}

export function createClassroom(req: CreateClassroomBody): Promise<CreatedClassroom> {
  return json(routes().api.classrooms.$post({ json: req }));
}

export function joinClassroom(id: string, joinToken: string, name: string): Promise<Student> {
  return json(routes({ authorization: `Bearer ${joinToken}` }).api.classrooms[":id"].students.$post({ param: { id }, json: { name } }));
}

/** Offers text as a file download (kubeconfig, snapshot, exports). */
export function download(filename: string, content: string, type = "application/yaml"): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  // appendChild: the Workers types the server's contract brings along declare an Element.append of their own.
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

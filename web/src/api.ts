// Calls to a classroom's Kubernetes API (/clusters/<id>/...) and to kubeclass's own API
// (/api/classrooms/<id>/...), with the caller's token. Failures arrive as metav1.Status; ApiError
// keeps its reason and field causes so forms can show each error at its field.

export interface Cause { field?: string; message?: string; reason?: string }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly reason?: string, readonly causes: Cause[] = []) {
    super(message);
  }
}

async function call(url: string, init: RequestInit): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, `network error: ${(e as Error).message}`);
  }
  const text = await res.text();
  let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const msg = typeof body === "object" && body?.message ? body.message : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, msg, body?.reason, body?.details?.causes ?? []);
  }
  return body;
}

export class Api {
  constructor(readonly classroomId: string, readonly token: string) {}

  private headers(contentType?: string): Record<string, string> {
    const h: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (contentType) h["content-type"] = contentType;
    return h;
  }

  /** A Kubernetes API request, e.g. k8s("GET", "/api/v1/namespaces/default/pods"). */
  k8s(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const init: RequestInit = { method, headers: this.headers(body === undefined ? undefined : contentType) };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    return call(`/clusters/${this.classroomId}${path}`, init);
  }

  /** Plain text (pod logs). */
  async text(path: string): Promise<string> {
    const res = await fetch(`/clusters/${this.classroomId}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    const text = await res.text();
    if (!res.ok) {
      try {
        throw new ApiError(res.status, JSON.parse(text).message);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError(res.status, text);
      }
    }
    return text;
  }

  /** kubeclass's own API for this classroom, e.g. kc("POST", "/nodes", {}). */
  kc(method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const init: RequestInit = { method, headers: this.headers(body === undefined ? undefined : "application/json") };
    if (body !== undefined) init.body = JSON.stringify(body);
    return call(`/api/classrooms/${this.classroomId}${path}`, init);
  }
}

export interface CreatedClassroom { id: string; name: string; instructorUrl: string; joinUrl: string; instructorToken: string; joinToken: string; kubeconfig: string }
export interface Student { name: string; namespace: string; token: string; kubeconfig: string }

export function createClassroom(body: { name: string; nodes: number; size?: string; cloud: boolean; speed: number }): Promise<CreatedClassroom> {
  return call("/api/classrooms", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

export function joinClassroom(id: string, joinToken: string, name: string): Promise<Student> {
  return call(`/api/classrooms/${id}/students`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${joinToken}` }, body: JSON.stringify({ name }) });
}

/** Offers text as a file download (kubeconfig, snapshot, exports). */
export function download(filename: string, text: string, type = "application/yaml"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

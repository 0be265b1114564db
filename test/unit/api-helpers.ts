import { exports } from "cloudflare:workers";

export interface Classroom { id: string; instructorToken: string; joinToken: string; kubeconfig: string; instructorUrl: string; joinUrl: string }

const worker = () => (exports as any).default as Fetcher;

export async function newClassroom(name = "test", nodes = 0, opts: { controllers?: boolean } = {}): Promise<Classroom> {
  const res = await worker().fetch("http://kubeclass.test/api/classrooms", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, nodes }) });
  if (res.status !== 201) throw new Error(`create classroom: ${res.status} ${await res.text()}`);
  const cls = (await res.json()) as Classroom;
  if (opts.controllers === false) {
    // API-semantics tests: no controller writes to the objects under test behind their back.
    const off = await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/controllers/running`, { method: "PUT", headers: { authorization: `Bearer ${cls.instructorToken}`, "content-type": "application/json" }, body: JSON.stringify({ running: false }) });
    if (off.status !== 200) throw new Error(`stop controllers: ${off.status} ${await off.text()}`);
  }
  return cls;
}

/** A small client for one classroom's Kubernetes API, authenticating as kubectl does over HTTP. */
export function client(cls: Classroom, token = cls.instructorToken) {
  const base = `http://kubeclass.test/clusters/${cls.id}/auth/${token}`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { accept: "application/json", ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    const res = await worker().fetch(base + path, init);
    return res;
  };
  const json = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await call(method, path, body, headers);
    const text = await res.text();
    let parsed: any;
    try { parsed = JSON.parse(text); } catch { parsed = text; }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    call,
    get: (p: string, h?: Record<string, string>) => json("GET", p, undefined, h),
    post: (p: string, b: unknown, h?: Record<string, string>) => json("POST", p, b, h),
    put: (p: string, b: unknown, h?: Record<string, string>) => json("PUT", p, b, h),
    patch: (p: string, b: unknown, type: string) => json("PATCH", p, b, { "content-type": type }),
    del: (p: string, b?: unknown) => json("DELETE", p, b),
  };
}

export const nginxDeployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx-deployment", labels: { app: "nginx" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "nginx" } },
    template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }] } },
  },
};

export const pod = (name: string, labels: Record<string, string> = { app: "web" }) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
});

/** Reads newline-delimited watch events until `count` arrived. */
export async function readEvents(res: Response, count: number): Promise<any[]> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const out: any[] = [];
  while (out.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  }
  await reader.cancel();
  return out;
}

/** A student joins through the join API: status and body (token, namespace, kubeconfig on 201). */
export async function joinAs(cls: Classroom, name: unknown, token = cls.joinToken): Promise<{ status: number; body: any }> {
  const res = await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}/students`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** kubeclass's own API of a classroom (path after /api/classrooms/<id>), as the instructor by default. */
export async function kubeclassApi(cls: Classroom, method: string, path: string, body?: unknown, token = cls.instructorToken): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await worker().fetch(`http://kubeclass.test/api/classrooms/${cls.id}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, body: parsed, headers: res.headers };
}

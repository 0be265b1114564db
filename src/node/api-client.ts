// How a node reaches the control plane: Kubernetes API requests, by path, authenticated with the
// node's own credential, carried to the classroom object over RPC (batched: one round trip a sync).

export interface ApiCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string; // e.g. /api/v1/namespaces/default/pods/web/status
  body?: unknown;
  contentType?: string;
}

export interface ApiReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * What apiBatch may answer instead: the response text unparsed, so that parsing a large reply (a
 * pod list) happens on the node's thread rather than the classroom's, and the RPC carries one
 * string instead of a deep object.
 */
export interface ApiTextReply {
  status: number;
  text: string;
}

export interface ControlPlane {
  apiBatch(token: string, calls: ApiCall[]): Promise<(ApiReply | ApiTextReply)[]>;
}

/** Counts what is sent (call-stats.ts); optional so a client can be made without. */
export interface CallRecorder {
  batches: number;
  record(method: string, path: string): void;
}

export class ApiClient {
  constructor(private readonly plane: ControlPlane, private readonly token: string, private readonly stats?: CallRecorder) {}

  async batch(calls: ApiCall[]): Promise<ApiReply[]> {
    if (calls.length === 0) return [];
    if (this.stats) {
      this.stats.batches++;
      for (const c of calls) this.stats.record(c.method, c.path);
    }
    const replies = await this.plane.apiBatch(this.token, calls);
    return replies.map((r) => ("text" in r ? { status: r.status, body: r.text ? JSON.parse(r.text) : undefined } : r));
  }

  async one(call: ApiCall): Promise<ApiReply> {
    return (await this.batch([call]))[0];
  }
}

// Bare baseline for the load tool (scripts/load/): what one Durable Object costs through `wrangler dev`
// when it does the least a write can do. Routes (all to one object, as a classroom is one object):
//   GET  /healthz      200 "ok" (the Worker alone)
//   POST /items        parse the JSON body, one SQLite INSERT, 201 with the object; sockets get it too
//   GET  /items/<id>   the row (404 if none)
//   GET  /items        every row (at most 5,000), as a list GET of pods reads them all
//   GET  /ws           WebSocket (hibernation API): "hello" on accept; any message is echoed to every socket
import { DurableObject } from "cloudflare:workers";

interface Env {
  BARE: DurableObjectNamespace<BareObject>;
}

export class BareObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ws") {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket only", { status: 400 });
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]);
      pair[1].send(JSON.stringify({ t: "hello", sockets: this.ctx.getWebSockets().length }));
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    if (url.pathname === "/items" && request.method === "POST") {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return Response.json({ error: "body must be JSON" }, { status: 400 });
      }
      const text = JSON.stringify(body);
      const row = this.ctx.storage.sql.exec<{ id: number }>("INSERT INTO items (body) VALUES (?) RETURNING id", text).one();
      const obj = { id: row.id, object: body };
      const sockets = this.ctx.getWebSockets();
      if (sockets.length > 0) {
        const msg = JSON.stringify({ t: "changes", changes: [obj] });
        for (const ws of sockets) try { ws.send(msg); } catch { /* closing */ }
      }
      return Response.json(obj, { status: 201 });
    }
    if (url.pathname === "/items" && request.method === "GET") {
      const rows = this.ctx.storage.sql.exec<{ id: number; body: string }>("SELECT id, body FROM items ORDER BY id LIMIT 5000").toArray();
      return Response.json({ items: rows.map((r) => ({ id: r.id, object: JSON.parse(r.body) })) });
    }
    const m = /^\/items\/(\d+)$/.exec(url.pathname);
    if (m && request.method === "GET") {
      const rows = this.ctx.storage.sql.exec<{ id: number; body: string }>("SELECT id, body FROM items WHERE id = ?", Number(m[1])).toArray();
      if (rows.length === 0) return Response.json({ error: "not found" }, { status: 404 });
      return Response.json({ id: rows[0].id, object: JSON.parse(rows[0].body) });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  }

  override async webSocketMessage(_ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) try { ws.send(data); } catch { /* closing */ }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try { ws.close(code === 1005 ? 1000 : code, "bye"); } catch { /* closed */ }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    return env.BARE.get(env.BARE.idFromName("bare")).fetch(request);
  },
} satisfies ExportedHandler<Env>;

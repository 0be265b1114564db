// Watch: a chunked stream of {"type","object"} lines, headers sent at once. resourceVersion ""/"0"
// starts with the current state as ADDED events; a number resumes after that revision; a
// compacted one gets an ERROR event with 410 Expired, which makes informers relist.
import { CompactedError, type Etcd } from "../../etcd/store";
import type { WatchEvent } from "../../etcd/watch";
import { apiVersionOf } from "../resources";
import { errors } from "../status";
import type { KubeObject } from "../types";
import { intParam, type ReqCtx } from "./context";
import { formatObject } from "./output";
import { selectorsFrom } from "./rest";

const DEFAULT_TIMEOUT_S = 1800;
const BOOKMARK_EVERY_MS = 60_000;

type Kind = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export function watchObjects(c: ReqCtx, etcd: Etcd): Response {
  const q = c.url.searchParams;
  const sel = selectorsFrom(c);
  const rvParam = q.get("resourceVersion") ?? "";
  if (rvParam !== "" && !/^\d+$/.test(rvParam)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
  const timeoutS = intParam(q, "timeoutSeconds") ?? DEFAULT_TIMEOUT_S;
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const initial = rvParam === "" || rvParam === "0" || q.get("sendInitialEvents") === "true";
  const prefix = c.registry.prefix(c.sr, c.info.namespace);
  const matches = (o: KubeObject) => c.registry.matches(c.sr, o, sel);
  const filtered = !!(sel.labelSelector || sel.fieldSelector);
  const enc = new TextEncoder();
  let firstTable = true;
  let lastRv = rvParam === "" ? String(etcd.revision) : rvParam;
  let cleanup = () => {};

  const line = (type: Kind, object: unknown) => enc.encode(JSON.stringify({ type, object }) + "\n");
  const objectLine = (type: Kind, obj: KubeObject) => {
    let object = formatObject(c.r, obj, c.out);
    if (c.out.as === "table") {
      // Column definitions once, on the first event, as the real server does.
      if (!firstTable) object = { ...(object as object), columnDefinitions: [] };
      firstTable = false;
    }
    lastRv = obj.metadata.resourceVersion ?? lastRv;
    return line(type, object);
  };

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        cleanup();
        try { controller.close(); } catch { /* already closed by the client */ }
      };
      const send = (chunk: Uint8Array) => { if (open) controller.enqueue(chunk); };

      const deliver = (events: WatchEvent[]) => {
        for (const e of events) {
          const cur = c.registry.decode(e.kv);
          if (e.type === "DELETE") {
            if (matches(cur)) send(objectLine("DELETED", cur));
            continue;
          }
          // Replayed events carry no previous value; it matters only when a selector filters.
          const prev = e.prev ? c.registry.decode(e.prev) : e.kv.version > 1 ? (filtered ? previousState(etcd, c, e) : cur) : undefined;
          const now = matches(cur);
          const before = prev ? matches(prev) : false;
          if (now && !prev) send(objectLine("ADDED", cur));
          else if (now && before) send(objectLine("MODIFIED", cur));
          else if (now) send(objectLine("ADDED", cur));
          else if (before) send(objectLine("DELETED", cur));
        }
      };

      let from: number;
      if (initial) {
        const listed = c.registry.list(c.sr, c.info.namespace, sel);
        for (const o of listed.items) send(objectLine("ADDED", o));
        from = Number(listed.resourceVersion);
        lastRv = listed.resourceVersion;
        // WatchList clients (sendInitialEvents) learn that the initial state is complete from this bookmark.
        if (bookmarks && q.get("sendInitialEvents") === "true") {
          send(line("BOOKMARK", { kind: c.r.kind, apiVersion: apiVersionOf(c.r), metadata: { resourceVersion: lastRv, annotations: { "k8s.io/initial-events-end": "true" } } }));
        }
      } else from = Number(rvParam);

      let w;
      try {
        w = etcd.watch(prefix, from, deliver);
      } catch (e) {
        if (!(e instanceof CompactedError)) throw e;
        send(line("ERROR", errors.gone(`too old resource version: ${from} (${e.compacted})`).status));
        close();
        return;
      }
      w.onClose = (err) => {
        send(line("ERROR", errors.gone(`too old resource version: ${from} (${err instanceof CompactedError ? err.compacted : etcd.revision})`).status));
        close();
      };
      const bookmark = () => send(line("BOOKMARK", { kind: c.r.kind, apiVersion: apiVersionOf(c.r), metadata: { resourceVersion: String(Math.max(Number(lastRv), etcd.revision)) } }));
      const timers: ReturnType<typeof setTimeout>[] = [];
      if (bookmarks) timers.push(setInterval(bookmark, BOOKMARK_EVERY_MS));
      timers.push(setTimeout(close, timeoutS * 1000));
      cleanup = () => {
        w.cancel();
        for (const t of timers) clearTimeout(t);
      };
    },
    cancel() {
      cleanup();
    },
  });
  // identity: a compressed stream would be buffered, and kubectl would see no event until it ends.
  return new Response(stream, { headers: { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Content-Encoding": "identity" } });
}

/** A replayed event has no previous value attached; read it from history when still retained. */
function previousState(etcd: Etcd, c: ReqCtx, e: WatchEvent): KubeObject | undefined {
  try {
    const older = etcd.history(e.kv.key, e.kv.createRevision - 1).filter((h) => h.kv.key === e.kv.key && h.kv.modRevision < e.kv.modRevision);
    const last = older.at(-1);
    return last && last.type === "PUT" ? c.registry.decode(last.kv) : undefined;
  } catch {
    // History compacted: treat as modified (the common case).
    return c.registry.decode(e.kv);
  }
}

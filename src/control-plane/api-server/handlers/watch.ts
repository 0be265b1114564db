// Watch: a chunked stream of {"type","object"} lines, headers sent at once. resourceVersion ""/"0"
// starts with the current state as ADDED events; a number resumes after that revision; a
// compacted one gets an ERROR event with 410 Expired, which makes informers relist.
// Memory is bounded as in kube-apiserver's cacher: a resume that would replay more than
// MAX_REPLAY history is answered as compacted (410, the client relists), and a client that stops
// reading is ended once MAX_UNREAD_BYTES wait for it (the cacher closes an unresponsive watcher;
// the client re-watches from the last resourceVersion it got).
// One write reaches many watches (every student's `kubectl get nodes -w`, informers of the same
// kind): as in the cacher's cachingObject (staging/src/k8s.io/apiserver/pkg/storage/cacher/
// caching_object.go, one serialization per encoder shared by all watchers), each stored value is
// decoded once and each of its lines is encoded once per (resource, version, output, event type),
// then enqueued to every watch it concerns. Filtering stays per watch (its namespace by its prefix,
// its selectors on the shared object, which nothing here mutates).
import { CompactedError, type BacklogLimit, type Etcd } from "../../etcd/store";
import type { KeyValue } from "../../etcd/store";
import type { WatchEvent } from "../../etcd/watch";
import { queryBool } from "../request-info";
import { apiVersionOf } from "../resources";
import { errors } from "../status";
import type { KubeObject } from "../types";
import { intParam, type ReqCtx } from "./context";
import { formatObject } from "./output";
import { selectorsFrom } from "./rest";

const DEFAULT_TIMEOUT_S = 1800;
const BOOKMARK_EVERY_MS = 60_000;
/** Past this much history to replay, relisting costs less: 5,000 events (~a watch cache's worth) or 16 MiB of values. */
export const MAX_REPLAY: BacklogLimit = { events: 5_000, bytes: 16 * 1024 * 1024 };
/** Output queued for a client that does not read it (on top of its initial events): then the watch ends. */
export const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

type Kind = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/**
 * What watches share about one stored value, for as long as a published event holds it: the store
 * publishes one KeyValue object to every watch, and this lives exactly as long (weakly held).
 * Replayed history is read per watch, so it is never shared and costs what it did before.
 */
interface Shared { obj?: KubeObject; lines?: Map<string, Uint8Array> }
const sharedByValue = new WeakMap<KeyValue, Shared>();
/** Encodes done and encodes saved by sharing, for the tests and the fan-out measurement. */
export const watchEncodes = { encoded: 0, shared: 0 };

function sharedOf(kv: KeyValue): Shared {
  let s = sharedByValue.get(kv);
  if (!s) sharedByValue.set(kv, (s = {}));
  return s;
}

export function watchObjects(c: ReqCtx, etcd: Etcd): Response {
  const q = c.url.searchParams;
  const sel = selectorsFrom(c);
  const rvParam = q.get("resourceVersion") ?? "";
  if (rvParam !== "" && !/^\d+$/.test(rvParam)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
  const timeoutS = intParam(q, "timeoutSeconds") ?? DEFAULT_TIMEOUT_S;
  const bookmarks = queryBool(q, "allowWatchBookmarks");
  const sendInitialEvents = queryBool(q, "sendInitialEvents");
  const initial = rvParam === "" || rvParam === "0" || sendInitialEvents;
  const prefix = c.registry.prefix(c.sr, c.info.namespace);
  const matches = (o: KubeObject) => c.registry.matches(c.sr, o, sel);
  const filtered = !!(sel.labelSelector || sel.fieldSelector);
  const enc = new TextEncoder();
  let firstTable = true;
  let lastRv = rvParam === "" ? String(etcd.revision) : rvParam;
  let cleanup = () => {};
  let open = true;

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
  // Every watch of this resource, version and output encodes a published event to the same bytes
  // (a Table's cells depend on `now` too; its first line, with the column definitions, is this watch's own).
  const encoder = `${c.r.group}/${c.r.version}/${c.r.plural}|${c.out.as}|${c.out.includeObject ?? ""}|${c.out.as === "table" ? c.out.now : ""}`;
  const decodeShared = (kv: KeyValue): KubeObject => {
    const s = sharedOf(kv);
    return (s.obj ??= c.registry.decode(kv));
  };
  const sharedLine = (type: Kind, kv: KeyValue, obj: KubeObject) => {
    if (c.out.as === "table" && firstTable) {
      watchEncodes.encoded++;
      return objectLine(type, obj);
    }
    const s = sharedOf(kv);
    const key = `${type}|${encoder}`;
    let bytes = s.lines?.get(key);
    if (bytes) {
      watchEncodes.shared++;
      lastRv = obj.metadata.resourceVersion ?? lastRv;
      return bytes;
    }
    watchEncodes.encoded++;
    bytes = objectLine(type, obj);
    (s.lines ??= new Map()).set(key, bytes);
    return bytes;
  };

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (!open) return;
        open = false;
        cleanup();
        try { controller.close(); } catch { /* already closed by the client */ }
      };
      // Set once the initial state and the replayed history are queued: from then on a client that
      // lets MAX_UNREAD_BYTES pile up is too slow, and its watch ends.
      let baseline: number | undefined;
      const send = (chunk: Uint8Array) => {
        if (!open) return;
        controller.enqueue(chunk);
        if (baseline !== undefined && (controller.desiredSize ?? 0) < baseline - MAX_UNREAD_BYTES) close();
      };

      // Replayed history (events read for this watch alone) is decoded and encoded here; published
      // events share their decoded object and lines with every other watch.
      let live = false;
      const deliver = (events: WatchEvent[]) => {
        for (const e of events) {
          const decode = live ? decodeShared : (kv: KeyValue) => c.registry.decode(kv);
          const emit = (type: Kind, obj: KubeObject) => send(live ? sharedLine(type, e.kv, obj) : objectLine(type, obj));
          const cur = decode(e.kv);
          if (e.type === "DELETE") {
            if (matches(cur)) emit("DELETED", cur);
            continue;
          }
          if (!filtered) {
            // No selector: the previous value matters only for whether the key existed before.
            emit(e.prev || e.kv.version > 1 ? "MODIFIED" : "ADDED", cur);
            continue;
          }
          // Replayed events carry no previous value: read it from history.
          const prev = e.prev ? decode(e.prev) : e.kv.version > 1 ? previousState(etcd, c, e) : undefined;
          const now = matches(cur);
          const before = prev ? matches(prev) : false;
          if (now && !prev) emit("ADDED", cur);
          else if (now && before) emit("MODIFIED", cur);
          else if (now) emit("ADDED", cur);
          else if (before) emit("DELETED", cur);
        }
      };

      let from: number;
      if (initial) {
        const listed = c.registry.list(c.sr, c.info.namespace, sel);
        for (const o of listed.items) send(objectLine("ADDED", o));
        from = Number(listed.resourceVersion);
        lastRv = listed.resourceVersion;
        // WatchList clients (sendInitialEvents) learn that the initial state is complete from this bookmark.
        if (bookmarks && sendInitialEvents) {
          send(line("BOOKMARK", { kind: c.r.kind, apiVersion: apiVersionOf(c.r), metadata: { resourceVersion: lastRv, annotations: { "k8s.io/initial-events-end": "true" } } }));
        }
      } else from = Number(rvParam);

      let w;
      try {
        w = etcd.watch(prefix, from, deliver, MAX_REPLAY);
      } catch (e) {
        if (!(e instanceof CompactedError)) throw e;
        send(line("ERROR", errors.gone(`too old resource version: ${from} (${e.compacted})`).status));
        close();
        return;
      }
      baseline = controller.desiredSize ?? 0;
      live = true;
      w.onClose = (err) => {
        // Compacted (restore): 410 makes the client relist. Otherwise the store could not deliver
        // to us: end the stream and the client re-watches from the last version it got.
        if (err instanceof CompactedError) send(line("ERROR", errors.gone(`too old resource version: ${from} (${err.compacted})`).status));
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
      open = false;
      cleanup();
    },
  }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });
  // identity: a compressed stream would be buffered, and kubectl would see no event until it ends.
  return new Response(stream, { headers: { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Content-Encoding": "identity" } });
}

/** A replayed event has no previous value attached; read it from history when still retained. */
function previousState(etcd: Etcd, c: ReqCtx, e: WatchEvent): KubeObject | undefined {
  const prev = etcd.previous(e.kv);
  // History compacted: treat as modified (the common case).
  if (prev === "compacted") return c.registry.decode(e.kv);
  return prev && c.registry.decode(prev);
}

// live-storm: 500 live-feed WebSockets opened at once (100 students x 5 pages; each with a single-use ticket
// from POST .../live/ticket, or ?token= where that endpoint is missing); time until all 500 had their first
// message, and pod-create p99 (4 clients, back to back) during the storm. Then fanout: one pod create and
// its delivery to all 500 (from the create's answer to each socket's first message naming the pod).
// Bare: 500 sockets to the bare object, the same create loop, and one insert broadcast to all.
import { delay, fmt, ms, percentile, pool, ratio, request, statusCounts } from "../lib.mjs";
import { closeAll, createClassroom, createPod, joinMany, liveUrl, openSocket } from "../kube.mjs";

export const LIMIT_MS = 200_000;
const SOCKETS = 500;
const STUDENTS = 100;
const STORM_TIMEOUT_MS = 60_000;
const FANOUT_TIMEOUT_MS = 30_000;

/** Opens every URL at once, creating in 4 loops meanwhile; then one create whose delivery is timed. */
async function storm(urls, create, alive) {
  const needle = { text: "" };
  const t0 = performance.now();
  const sockets = urls.map((u) => openSocket(u, { keepText: (t) => needle.text !== "" && t.includes(needle.text) }));
  const allFirst = () => sockets.every((s) => s.firstAt !== undefined || s.failed !== undefined);
  const deadline = Date.now() + STORM_TIMEOUT_MS;
  const during = [];
  await Promise.all(Array.from({ length: 4 }, async (_, c) => {
    for (let i = 0; !allFirst() && Date.now() < deadline && alive(); i++) during.push(await create(`storm-${c}-${i}`));
  }));
  while (!allFirst() && Date.now() < deadline && alive()) await delay(100);
  const firsts = sockets.filter((s) => s.firstAt !== undefined).map((s) => s.firstAt - t0);
  const failed = sockets.filter((s) => s.failed !== undefined && s.firstAt === undefined);
  const stormMs = firsts.length === sockets.length ? Math.max(...firsts) : undefined;
  const lastFirst = firsts.length ? Math.max(...firsts) : undefined;

  await delay(2_000); // the storm's own messages settle
  needle.text = `fanout-${Date.now()}`;
  const r = await create(needle.text);
  const fanDeadline = Date.now() + FANOUT_TIMEOUT_MS;
  const open = sockets.filter((s) => s.openAt !== undefined && s.closedAt === undefined);
  while (open.some((s) => s.matches.length === 0) && Date.now() < fanDeadline && alive()) await delay(50);
  const delivery = open.filter((s) => s.matches.length > 0).map((s) => s.matches[0] - r.end);
  const fromSend = open.filter((s) => s.matches.length > 0).map((s) => s.matches[0] - (r.end - r.ms));
  closeAll(sockets);
  return { stormMs, lastFirst, fromSend, got: firsts.length, failed: failed.length, why: failed[0]?.failed, during, create: r, delivery, open: open.length };
}

export async function run({ kube, bare, add, log, alive }) {
  const bUrl = `${bare.baseUrl.replace(/^http/, "ws")}/ws`;
  const bCreate = (name) => request(`${bare.baseUrl}/items`, { method: "POST", body: { kind: "Pod", metadata: { name } } });
  const b = await storm(Array.from({ length: SOCKETS }, () => bUrl), bCreate, alive);
  log(`bare: ${b.got}/${SOCKETS} first messages in ${ms(b.stormMs)}; fanout ${b.delivery.length}/${b.open} p99 ${ms(percentile(b.delivery, 99))}`);
  await delay(1_000);

  const c = await createClassroom(kube.baseUrl, { nodes: 3 });
  const students = await joinMany(c, STUDENTS, 20);
  const tt = performance.now();
  const urls = await pool(SOCKETS, 50, (i) => liveUrl(c, students[i % STUDENTS].token));
  log(`${SOCKETS} live URLs (via ${urls[0].via}) in ${((performance.now() - tt) / 1000).toFixed(1)} s`);
  const k = await storm(urls.map((u) => u.url), (name) => createPod(c.admin, "default", name), alive);
  log(`kubeclass: ${k.got}/${SOCKETS} first messages in ${ms(k.stormMs)} (${k.failed} failed${k.why ? `: ${k.why}` : ""}); fanout ${k.delivery.length}/${k.open} p99 ${ms(percentile(k.delivery, 99))}`);

  const lat = (x) => x.during.map((r) => r.ms);
  add({ metric: `${SOCKETS} sockets: all first messages`, kubeclass: k.stormMs !== undefined ? ms(k.stormMs) : `${k.got}/${SOCKETS} (last at ${ms(k.lastFirst)})`, bare: b.stormMs !== undefined ? ms(b.stormMs) : `${b.got}/${SOCKETS} (last at ${ms(b.lastFirst)})`, ratio: ratio(k.stormMs, b.stormMs), verdict: k.got === SOCKETS ? "ok" : "FAIL", note: `kubeclass ${k.failed} failed${k.why ? ` (${k.why})` : ""}; live URL via ${urls[0].via}` });
  add({ metric: "pod create p99 during the storm (4 clients)", kubeclass: ms(percentile(lat(k), 99)), bare: ms(percentile(lat(b), 99)), ratio: ratio(percentile(lat(k), 99), percentile(lat(b), 99)), target: "<= 1000 ms", verdict: percentile(lat(k), 99) <= 1000 ? "ok" : "FAIL", note: `kubeclass ${statusCounts(k.during)}; bare ${statusCounts(b.during)}` });
  for (const p of [50, 99]) {
    add({ scenario: "fanout", metric: `one create -> all ${SOCKETS} sockets: delivery p${p}`, kubeclass: ms(percentile(k.delivery, p)), bare: ms(percentile(b.delivery, p)), ratio: ratio(percentile(k.delivery, p), percentile(b.delivery, p)), verdict: p === 99 ? (k.delivery.length === k.open && k.open === SOCKETS ? "ok" : "FAIL") : undefined, note: p === 99 ? `delivered to ${k.delivery.length}/${k.open} open (bare ${b.delivery.length}/${b.open}); create ${k.create.status} in ${fmt(k.create.ms, " ms")}; negative = before the HTTP answer; from the create's send: p99 ${ms(percentile(k.fromSend, 99))}, bare ${ms(percentile(b.fromSend, 99))}` : undefined });
  }
}

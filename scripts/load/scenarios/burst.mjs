// burst: 200 students join, then fire 1,000 pod creates at once (5 each, each with the student's own
// kubeconfig token). Target: nothing but 201 and 429, p99 <= 1 s. Bare: 1,000 concurrent inserts.
import { fmt, ms, percentile, ratio, request, statusCounts } from "../lib.mjs";
import { createClassroom, createPod, joinMany } from "../kube.mjs";

export const LIMIT_MS = 240_000;
const STUDENTS = 200;
const PODS_EACH = 5;

/** Splits answers into the counts the issue asks for. */
function summary(results) {
  const by = (s) => results.filter((r) => r.status === s).length;
  // Lost: no answer at all, or an answer that is not a clear error (a JSON body with a reason/message).
  const clear = (r) => r.status === 201 || (r.status >= 400 && r.json && (r.json.kind === "Status" || r.json.error || r.json.message));
  const lost = results.filter((r) => !clear(r)).length;
  const lat = results.map((r) => r.ms);
  const sample = results.find((r) => r.status !== 201);
  const why = sample ? `first non-201: ${sample.status || sample.error} ${sample.text.replace(/\s+/g, " ").slice(0, 90)}` : "";
  return { why, ok: by(201), r429: by(429), r503: by(503), other: results.length - by(201) - by(429) - by(503), lost, p50: percentile(lat, 50), p99: percentile(lat, 99), max: percentile(lat, 100), counts: statusCounts(results) };
}

export async function run({ kube, bare, add, log }) {
  const n = STUDENTS * PODS_EACH;
  // Bare first, while kubeclass has no classroom yet (nothing of it running to skew the baseline).
  const b = summary(await Promise.all(Array.from({ length: n }, (_, i) => request(`${bare.baseUrl}/items`, { method: "POST", body: { kind: "Pod", metadata: { name: `p${i}` } } }))));
  log(`bare: ${b.counts}; ${b.why}`);

  const c = await createClassroom(kube.baseUrl, { nodes: 3 });
  const tj = performance.now();
  const students = await joinMany(c, STUDENTS, 20);
  const joinS = (performance.now() - tj) / 1000;
  log(`${STUDENTS} students joined in ${joinS.toFixed(1)} s (20 at a time; join p99 ${ms(percentile(students.map((s) => s.ms), 99))})`);

  const k = summary(await Promise.all(Array.from({ length: n }, (_, i) => {
    const s = students[i % STUDENTS];
    return createPod(c.api(s.token), s.namespace, `burst-${Math.floor(i / STUDENTS)}`);
  })));
  log(`kubeclass: ${k.counts}; ${k.why}`);

  const onlyOk = k.other === 0 && k.r503 === 0 && k.lost === 0;
  add({ metric: `${n} creates: 201 / 429 / 503 / other`, kubeclass: `${k.ok} / ${k.r429} / ${k.r503} / ${k.other}`, bare: `${b.ok} / ${b.r429} / ${b.r503} / ${b.other}`, ratio: ratio(k.ok, b.ok), target: "only 201 and 429", verdict: onlyOk ? "ok" : "FAIL", note: `${k.counts}; ${k.why}; bare ${b.why}` });
  add({ metric: "lost (no clear answer)", kubeclass: String(k.lost), bare: String(b.lost), ratio: "", target: "0", verdict: k.lost === 0 ? "ok" : "FAIL" });
  add({ metric: "create p50", kubeclass: ms(k.p50), bare: ms(b.p50), ratio: ratio(k.p50, b.p50) });
  add({ metric: "create p99", kubeclass: ms(k.p99), bare: ms(b.p99), ratio: ratio(k.p99, b.p99), target: "<= 1000 ms", verdict: k.p99 <= 1000 ? "ok" : "FAIL", note: `max ${ms(k.max)} / bare ${ms(b.max)}` });
  add({ metric: `${STUDENTS} joins (20 at a time)`, kubeclass: fmt(joinS, " s", 1), bare: "", ratio: "" });
}

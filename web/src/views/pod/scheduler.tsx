// "Why is my pod on this node?": the scheduler's own record of its last attempt for the pod —
// which filter plugin turned each node down and why, then how each score plugin rated the nodes
// that were left, and which total won.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, json } from "../../api";
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";
import { age } from "../../k8s";
import type { LiveObject } from "../../live";
import { byName } from "../map-util";

/** As the server sends it (src/control-plane/scheduler/record.ts). */
interface PodRef { namespace: string; name: string; uid: string }
interface ScoreEntry { node: string; plugin: string; raw: number; normalized: number; weight: number; weighted: number }
interface SchedulingRecord {
  pod: PodRef; at: number; feasible: string[]; filtered: { node: string; plugin: string; reason: string }[];
  scores: ScoreEntry[]; totals: Record<string, number>; chosen?: string; message?: string; nominatedNode?: string; victims?: PodRef[]; nodesEvaluated: number;
}

const S: Strings = {
  en: {
    title: "Why this node? (the scheduler's decision)",
    explain: "The scheduler filtered out the nodes that cannot run the pod, then scored the rest; the highest total wins.",
    loading: "Asking the scheduler…", noRecord: "The scheduler has no record for this pod.",
    noRecordWhy: "Either it was bound without the scheduler (spec.nodeName was set directly in the manifest) or the scheduler has not looked at it yet.",
    attempt: "Attempt {age} ago · {n} node(s) evaluated", filterStep: "1. Filter: can the node run this pod?", scoreStep: "2. Score: which feasible node is best?",
    passed: "passed every filter", rejected: "rejected by {plugin}", chosen: "chosen", plugin: "Plugin (× weight)", total: "Total",
    onlyOne: "Only one node passed the filters, so there was nothing to compare: it got the pod without scoring.",
    failed: "The scheduler could not place this pod", nominated: "Preemption: the pod was nominated to {node}; lower-priority pods are being evicted to make room:",
    boundTo: "Bound to {node}.", refresh: "Refresh", scoreTip: "raw {raw} → normalized {normalized} × weight {weight} = {weighted}",
    notBound: "The pod is not on a node yet.", tie: "Tie for the highest total: the scheduler picked one of the tied nodes at random.",
  },
  "pt-BR": {
    title: "Por que este nó? (a decisão do scheduler)",
    explain: "O scheduler descartou os nós que não podem rodar o Pod (filtros), deu notas aos que sobraram (pontuação); o maior total vence.",
    loading: "Perguntando ao scheduler…", noRecord: "O scheduler não tem registro deste Pod.",
    noRecordWhy: "Ou ele foi associado a um nó sem passar pelo scheduler (spec.nodeName definido direto no manifesto), ou o scheduler ainda não olhou para ele.",
    attempt: "Tentativa há {age} · {n} nó(s) avaliado(s)", filterStep: "1. Filtro: o nó consegue rodar este Pod?", scoreStep: "2. Pontuação: qual nó viável é o melhor?",
    passed: "passou em todos os filtros", rejected: "recusado por {plugin}", chosen: "escolhido", plugin: "Plugin (× peso)", total: "Total",
    onlyOne: "Só um nó passou nos filtros, então não havia o que comparar: ele recebeu o Pod sem pontuação.",
    failed: "O scheduler não conseguiu colocar este Pod", nominated: "Preempção: o Pod foi indicado para {node}; Pods de prioridade menor estão sendo despejados para abrir espaço:",
    boundTo: "Associado a {node}.", refresh: "Atualizar", scoreTip: "bruto {raw} → normalizado {normalized} × peso {weight} = {weighted}",
    notBound: "O Pod ainda não está em nenhum nó.", tie: "Empate no maior total: o scheduler sorteou um dos nós empatados.",
  },
};

/** Long CamelCase plugin names may break between words in a narrow panel. */
function Camel({ name }: { name: string }) {
  const parts = name.split(/(?=[A-Z][a-z])/);
  return <>{parts.map((p, i) => <Fragment key={i}>{i > 0 && <wbr />}{p}</Fragment>)}</>;
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

export function SchedulerExplain({ pod }: { pod: LiveObject }) {
  const t = useT(S);
  const { api, live } = useClassroom();
  const ns = pod.metadata.namespace ?? "";
  const name = pod.metadata.name ?? "";
  const cond = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
  // Refetch when the decision could have changed: bound, or a new verdict on the PodScheduled condition.
  const trigger = `${pod.spec?.nodeName ?? ""}|${cond?.status}|${cond?.lastTransitionTime}|${cond?.message ?? ""}`;
  const [rec, setRec] = useState<SchedulingRecord | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const [n, setN] = useState(0);
  useEffect(() => {
    let alive = true;
    setError(undefined);
    json(api.kc.scheduler.decisions.$get({ param: api.id, query: { namespace: ns, pod: name } })).then(
      (r) => {
        if (!alive) return;
        const items: SchedulingRecord[] = r.items;
        // Records are per pod uid: an older pod with the same name (a StatefulSet's) is not this one.
        setRec(items.find((x) => x.pod.uid === pod.metadata.uid) ?? (pod.metadata.uid ? null : items[0] ?? null));
      },
      (e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)),
    );
    return () => void (alive = false);
  }, [ns, name, trigger, n]);

  return (
    <section class="pd-section pd-sched" data-testid="scheduler-explain">
      <div class="pd-section-head">
        <h3>{t("title")}</h3>
        <button type="button" class="small" onClick={() => setN(n + 1)}>{t("refresh")}</button>
      </div>
      <p class="pd-explain">{t("explain")}</p>
      {error ? <div class="error-box">{error}</div>
        : rec === undefined ? <p class="muted">{t("loading")}</p>
        : rec === null ? (
          <div class="pd-norecord" data-testid="sched-no-record">
            <p><strong>{t("noRecord")}</strong> {t("noRecordWhy")}</p>
            <p>{pod.spec?.nodeName ? t("boundTo", { node: pod.spec.nodeName }) : t("notBound")}</p>
          </div>
        ) : <RecordView rec={rec} now={live.simNow()} />}
    </section>
  );
}

function RecordView({ rec, now }: { rec: SchedulingRecord; now: number }) {
  const t = useT(S);
  const plugins = [...new Set(rec.scores.map((s) => s.plugin))];
  const score = new Map(rec.scores.map((s) => [`${s.node}|${s.plugin}`, s]));
  const feasible = [...rec.feasible].sort((a, b) => (rec.totals[b] ?? 0) - (rec.totals[a] ?? 0) || byName(a, b));
  const best = Math.max(...feasible.map((n) => rec.totals[n] ?? 0));
  const tied = plugins.length > 0 && feasible.filter((n) => (rec.totals[n] ?? 0) === best).length > 1;
  const filtered = [...rec.filtered].sort((a, b) => byName(a.node, b.node));
  return (
    <div class="pd-record">
      <p class="muted small">{t("attempt", { age: age(new Date(rec.at).toISOString(), now), n: rec.nodesEvaluated })}</p>
      {rec.message && (
        <div class="error-box" data-testid="sched-message"><strong>{t("failed")}:</strong> {rec.message}</div>
      )}
      {rec.nominatedNode && (
        <div class="pd-preempt">
          {t("nominated", { node: rec.nominatedNode })}
          <ul>{(rec.victims ?? []).map((v) => <li key={v.uid}><code>{v.namespace}/{v.name}</code></li>)}</ul>
        </div>
      )}
      <h4>{t("filterStep")}</h4>
      <ul class="pd-filter">
        {feasible.map((node) => (
          <li key={node} class={`ok ${node === rec.chosen ? "chosen" : ""}`} data-testid={`sched-node-${node}`} data-feasible="true">
            <span class="mark" aria-hidden="true">✓</span> <strong>{node}</strong> <span class="muted">{t("passed")}</span>
            {node === rec.chosen && <span class="badge ok">★ {t("chosen")}</span>}
          </li>
        ))}
        {filtered.map((f) => (
          <li key={f.node} class="no" data-testid={`sched-node-${f.node}`} data-feasible="false">
            <span class="mark" aria-hidden="true">✗</span> <strong>{f.node}</strong> <span>{t("rejected", { plugin: f.plugin })}</span>
            <div class="reason">{f.reason}</div>
          </li>
        ))}
      </ul>
      {rec.feasible.length === 1 && plugins.length === 0 && <p>{t("onlyOne")}</p>}
      {plugins.length > 0 && (
        <>
          <h4>{t("scoreStep")}</h4>
          <div class="pd-scroll">
            <table class="pd-scores" data-testid="sched-scores">
              <thead>
                <tr>
                  <th>{t("plugin")}</th>
                  {feasible.map((node) => <th key={node} class={node === rec.chosen ? "chosen" : ""}>{node === rec.chosen ? "★ " : ""}{node}</th>)}
                </tr>
              </thead>
              <tbody>
                {plugins.map((p) => {
                  const w = rec.scores.find((s) => s.plugin === p)?.weight ?? 1;
                  return (
                    <tr key={p}>
                      <th scope="row"><Camel name={p} /> <span class="muted">×{w}</span></th>
                      {feasible.map((node) => {
                        const s = score.get(`${node}|${p}`);
                        return (
                          <td key={node} class={`pd-num ${node === rec.chosen ? "chosen" : ""}`}
                            title={s ? t("scoreTip", { raw: fmt(s.raw), normalized: fmt(s.normalized), weight: s.weight, weighted: fmt(s.weighted) }) : ""}>
                            {s ? fmt(s.weighted) : "—"}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
                <tr class="total">
                  <th scope="row">{t("total")}</th>
                  {feasible.map((node) => <td key={node} class={`pd-num ${node === rec.chosen ? "chosen" : ""}`} data-testid={`sched-total-${node}`}>{fmt(rec.totals[node] ?? 0)}</td>)}
                </tr>
              </tbody>
            </table>
          </div>
          {tied && <p class="pd-tie">{t("tie")}</p>}
        </>
      )}
    </div>
  );
}

// Starting and ending a round. With none running: a form (title, goal), the server's refusals shown
// where they belong (422 at the field, 409 above). With one running: what it is about, how long it
// has run on the simulated clock, each student's pods and refusals so far, and "End round".
import { useState } from "preact/hooks";
import { ApiError, json } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import type { LiveSettings } from "../../live";
import { personColor, useTick } from "../map-util";
import { type Loaded, errorText, simNow } from "./data";
import { S } from "./strings";
import { type Round, fmtDuration, nodeCountOf, refusalTotal, strategyOf } from "./types";

type Current = NonNullable<LiveSettings["round"]>;

function StartForm({ onStarted }: { onStarted: (r: Round) => void }) {
  const t = useT(S);
  const { api } = useClassroom();
  const [title, setTitle] = useState("");
  const [goal, setGoal] = useState("");
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState<{ title?: string; goal?: string; general?: string }>({});

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrs({});
    try {
      const body: { title: string; goal?: string } = { title };
      if (goal.trim()) body.goal = goal;
      const r = await json(api.kc.rounds.$post({ param: api.id, json: body }));
      setTitle("");
      setGoal("");
      onStarted(r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.causes.length) {
        const next: typeof errs = {};
        for (const c of err.causes) {
          if (c.field === "goal") next.goal = c.message;
          else if (c.field === "title") next.title = c.message;
          else next.general = c.message;
        }
        setErrs(next);
      } else setErrs({ general: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="rd-start" onSubmit={submit} noValidate>
      <h2>{t("startTitle")}</h2>
      <p class="muted">{t("startHint")}</p>
      {errs.general && <div class="error-box" role="alert" data-testid="round-error">{errs.general}</div>}
      <label>
        <span>{t("title")}</span>
        <input data-testid="round-title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} placeholder={t("titlePlaceholder")}
          class={errs.title ? "invalid" : ""} aria-invalid={!!errs.title} maxLength={200} />
        {errs.title && <div class="field-error" data-testid="round-title-error">{errs.title}</div>}
      </label>
      <label>
        <span>{t("goal")}</span>
        <textarea data-testid="round-goal" value={goal} onInput={(e) => setGoal(e.currentTarget.value)} rows={2} placeholder={t("goalPlaceholder")}
          class={errs.goal ? "invalid" : ""} aria-invalid={!!errs.goal} />
        {errs.goal && <div class="field-error" data-testid="round-goal-error">{errs.goal}</div>}
      </label>
      <button type="submit" class="primary" data-testid="round-start" disabled={busy}>▶ {t("start")}</button>
    </form>
  );
}

function Running({ current, round, live, onEnded }: { current: Current; round?: Round; live: Loaded; onEnded: (r: Round) => void }) {
  const t = useT(S);
  const { api, live: feed } = useClassroom();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useTick(1000);
  const elapsed = (simNow(feed) - current.startedAt) / 1000;
  const end = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onEnded(await json(api.kc.rounds.current.end.$post({ param: api.id })));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const o = live.data;
  const students = o?.students ?? [];
  return (
    <div class="rd-running" data-testid="round-running">
      <div class="rd-running-head">
        <div>
          <h2><span class="rd-live-dot" aria-hidden="true" /> {t("roundN", { n: current.n })}: {current.title}</h2>
          {current.goal && <p class="rd-goal" data-testid="round-current-goal"><span class="muted">{t("goalLabel")}:</span> {current.goal}</p>}
          <p class="muted">
            {round && <>{t("strategy")}: <strong>{strategyOf(round)}</strong> · {t("nodesN", { n: nodeCountOf(round) ?? "?" })} · </>}
            {t("elapsed")}: <strong class="rd-elapsed" data-testid="round-elapsed" data-seconds={Math.floor(elapsed)}>{fmtDuration(elapsed)}</strong>
          </p>
        </div>
        <button type="button" class="danger rd-end" data-testid="round-end" onClick={end} disabled={busy}>■ {t("end")}</button>
      </div>
      {error && <div class="error-box" role="alert" data-testid="round-error">{error}</div>}
      {o && (
        <p class="rd-totals" data-testid="round-totals">
          <span class="badge ok">{t("runningN", { n: o.cluster.pods.running })}</span>{" "}
          <span class="badge wait">{t("pendingN", { n: o.cluster.pods.pending })}</span>{" "}
          {o.cluster.pods.failed > 0 && <span class="badge bad">{t("failedN", { n: o.cluster.pods.failed })}</span>}
        </p>
      )}
      <div class="rd-scroll">
        <table class="rd-live" data-testid="round-live">
          <thead><tr><th>{t("student")}</th><th class="rd-n">{t("colRunning")}</th><th class="rd-n">{t("colPending")}</th><th class="rd-n">{t("colFailures")}</th><th class="rd-n">{t("colRefusals")}</th></tr></thead>
          <tbody>
            {students.map((s) => (
              <tr key={s.student} data-testid={`round-live-${s.student}`}>
                <td><span class="rd-person" style={{ background: personColor(s.student) }} />{s.student === "instructor" ? t("instructor") : s.student}</td>
                <td class="rd-n ok-num">{s.pods.running}</td>
                <td class={`rd-n ${s.pods.pending ? "wait-num" : ""}`}>{s.pods.pending}</td>
                <td class="rd-n">{s.schedulingFailures.total}</td>
                <td class={`rd-n ${refusalTotal(s) ? "bad-num" : ""}`} title={t("refusalsTip", { ...s.refusals })}>{refusalTotal(s)}</td>
              </tr>
            ))}
            {students.length === 0 && <tr><td colSpan={5} class="muted">{live.loading ? t("loading") : t("noStudents")}</td></tr>}
          </tbody>
        </table>
      </div>
      {live.error && <p class="muted" role="status">{live.error}</p>}
      <p class="muted rd-small">{t("liveHint")}</p>
    </div>
  );
}

export function RoundControl(p: { current: Current | null; round?: Round; live: Loaded; onStarted: (r: Round) => void; onEnded: (r: Round) => void }) {
  return (
    <section class="panel rd-control" data-testid="round-control">
      {p.current ? <Running current={p.current} round={p.round} live={p.live} onEnded={p.onEnded} /> : <StartForm onStarted={p.onStarted} />}
    </section>
  );
}

// Rounds and their outcomes (instructor only): start and end a round, list the rounds, read one
// round's outcomes (per student, for the cluster, charts), replay it moment by moment, compare two
// rounds, and export. A round is what the class compares: same workload, one setting changed.
import { useCallback, useEffect, useState } from "preact/hooks";
import { json } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { useObservable } from "../../observable";
import { useTick } from "../map-util";
import { Compare } from "./compare";
import { RoundControl } from "./control";
import { errorText, simNow, useOutcomes } from "./data";
import { OutcomesView } from "./outcomes";
import { closePrint } from "./print";
import { Replay } from "./replay";
import { S } from "./strings";
import { type Round, fmtDuration, nodeCountOf, strategyOf } from "./types";
import "./rounds.css";

export function Rounds() {
  const t = useT(S);
  const { me } = useClassroom();
  return (
    <div class="rounds" data-testid="rounds">
      {me.role === "instructor" ? <InstructorRounds /> : <p class="panel muted">{t("instructorOnly")}</p>}
    </div>
  );
}

function RoundList({ rounds, selected, ticked, onSelect, onTick, error }: {
  rounds: Round[] | undefined; selected?: number; ticked: number[]; error?: string;
  onSelect: (n: number) => void; onTick: (n: number) => void;
}) {
  const t = useT(S);
  const { live } = useClassroom();
  useTick(rounds?.some((r) => r.running) ? 1000 : 3_600_000);
  return (
    <section class="panel rd-list-panel">
      <h2>{t("rounds")}</h2>
      <p class="muted rd-small">{t("listHint")}</p>
      {error && <div class="error-box" role="alert">{error}</div>}
      <ul class="rd-list" data-testid="round-list" aria-busy={rounds === undefined}>
        {rounds === undefined && !error && <li class="muted">{t("loading")}</li>}
        {rounds?.length === 0 && <li class="muted rd-empty-list">{t("noRounds")}</li>}
        {rounds?.slice().reverse().map((r) => {
          const secs = ((r.endedAt ?? simNow(live)) - r.startedAt) / 1000;
          const isSel = r.n === selected;
          return (
            <li key={r.n} class={`rd-item ${isSel ? "selected" : ""}`} data-testid={`round-${r.n}`} data-running={String(r.running)}>
              <button type="button" class="rd-pick" data-testid={`round-select-${r.n}`} aria-pressed={isSel} onClick={() => onSelect(r.n)}>
                <span class="rd-item-title"><span class="muted">#{r.n}</span> {r.title}</span>
                <span class="rd-item-meta">
                  <span class="badge">{strategyOf(r)}</span>
                  <span class="badge">{t("nodesN", { n: nodeCountOf(r) ?? "?" })}</span>
                  <span class="badge">{fmtDuration(secs)}</span>
                  <span class={`badge ${r.running ? "ok" : "done"}`}>{r.running ? `● ${t("running")}` : t("ended")}</span>
                </span>
              </button>
              <label class="rd-tick">
                <input type="checkbox" data-testid={`round-compare-${r.n}`} checked={ticked.includes(r.n)} onChange={() => onTick(r.n)} />
                <span>{t("compare")}</span>
              </label>
            </li>
          );
        })}
      </ul>
      {ticked.length === 1 && <p class="muted rd-small" role="status">{t("tickOneMore")}</p>}
    </section>
  );
}

function InstructorRounds() {
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const current = settings?.round ?? null;
  const [rounds, setRounds] = useState<Round[]>();
  const [listError, setListError] = useState<string>();
  const [selected, setSelected] = useState<number>();
  const [ticked, setTicked] = useState<number[]>([]);
  const [replayAt, setReplayAt] = useState<number>();

  const load = useCallback(async () => {
    try {
      const res = await json(api.kc.rounds.$get({ param: api.id }));
      setRounds(res.items);
      setListError(undefined);
    } catch (e) {
      setListError(errorText(e));
    }
  }, [api]);
  // The live feed says when a round starts or ends (here or in another tab): the list follows.
  useEffect(() => void load(), [load, current?.n ?? 0]);
  useEffect(() => {
    if (selected === undefined && rounds?.length) setSelected(current?.n ?? rounds[rounds.length - 1].n);
  }, [rounds]); // a default once the list arrives, never overriding a choice
  useEffect(() => () => closePrint(), []);

  const upsert = (r: Round) => setRounds((rs) => [...(rs ?? []).filter((x) => x.n !== r.n), r].sort((a, b) => a.n - b.n));
  const liveOutcomes = useOutcomes(api, live, current?.n, true);
  const sel = rounds?.find((r) => r.n === selected);
  const selIsCurrent = sel !== undefined && sel.n === current?.n;
  // The running round's outcomes are already being polled for the control panel: shared, not asked twice.
  const selOutcomes = useOutcomes(api, live, sel && !selIsCurrent ? sel.n : undefined, false);
  const pair = ticked.length === 2 ? ticked.map((n) => rounds?.find((r) => r.n === n)).filter((r): r is Round => !!r).sort((a, b) => a.n - b.n) : [];

  return (
    <>
      <div class="rd-top">
        <RoundControl current={current} round={rounds?.find((r) => r.n === current?.n)} live={liveOutcomes}
          onStarted={(r) => {
            upsert(r);
            setSelected(r.n);
            void load();
          }}
          onEnded={(r) => {
            upsert(r);
            setSelected(r.n);
            void load();
          }} />
        <RoundList rounds={rounds} selected={selected} ticked={ticked} error={listError}
          onSelect={(n) => setSelected(n)}
          onTick={(n) => setTicked((cur) => (cur.includes(n) ? cur.filter((x) => x !== n) : [...cur, n].slice(-2)))} />
      </div>
      {pair.length === 2 && <Compare key={`${pair[0].n}-${pair[1].n}`} a={pair[0]} b={pair[1]} />}
      {sel && (
        <>
          <OutcomesView round={sel} loaded={selIsCurrent ? liveOutcomes : selOutcomes}
            marker={replayAt === undefined ? undefined : (replayAt - sel.startedAt) / 1000} />
          <Replay key={sel.n} round={sel} onAt={setReplayAt} />
        </>
      )}
    </>
  );
}

// Replaying a round: a slider over its simulated time; the server rebuilds the cluster map at that
// moment from the round's log (asked ~150 ms after the slider stops moving, so dragging does not flood
// it), and play animates the whole round in about fifteen seconds.
import { useEffect, useRef, useState } from "preact/hooks";
import { json } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { errorText, simNow } from "./data";
import { RoundMap } from "./map";
import { S } from "./strings";
import { type ReplayAt, type Round, fmtDuration } from "./types";

const DEBOUNCE_MS = 150;
const FRAME_MS = 250;
const FRAMES = 60;
const FOLLOW_MS = 2000;

export function Replay({ round, onAt }: { round: Round; onAt?: (at: number) => void }) {
  const t = useT(S);
  const { api, live } = useClassroom();
  const start = round.startedAt;
  // A running round's end moves on a timer, not on every render: following it must not feed back
  // through onAt into a render loop, and each move costs a replay request.
  const [liveEnd, setLiveEnd] = useState(() => Math.floor(simNow(live)));
  useEffect(() => {
    if (!round.running) return;
    const timer = setInterval(() => setLiveEnd(Math.floor(simNow(live))), FOLLOW_MS);
    return () => clearInterval(timer);
  }, [live, round.running]);
  const end = Math.max(start, round.endedAt ?? liveEnd);
  const [at, setAt] = useState(end);
  // At the end of a running round, the map follows it as it goes on.
  const [follow, setFollow] = useState(true);
  const [playing, setPlaying] = useState(false);
  const [data, setData] = useState<ReplayAt>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);
  const shown = follow ? end : Math.min(Math.max(at, start), end);

  useEffect(() => {
    setAt(round.endedAt ?? Math.floor(simNow(live)));
    setFollow(true);
    setPlaying(false);
    setData(undefined);
  }, [round.n]); // only when another round is shown: not as its end moves

  useEffect(() => onAt?.(shown), [shown]); // onAt is a new function each render: the moment is what matters

  useEffect(() => {
    if (round.logPruned) return;
    const mine = ++seq.current;
    setBusy(true);
    const timer = setTimeout(async () => {
      try {
        const res: ReplayAt = await json(api.kc.rounds[":n"].replay.$get({ param: { ...api.id, n: String(round.n) }, query: { at: String(Math.round(shown)) } }));
        if (mine !== seq.current) return; // a later moment was asked for meanwhile
        setData(res);
        setError(undefined);
      } catch (e) {
        if (mine === seq.current) setError(errorText(e));
      } finally {
        if (mine === seq.current) setBusy(false);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [api, round.n, round.logPruned, shown]);

  useEffect(() => {
    if (!playing) return;
    const step = Math.max(1, (end - start) / FRAMES);
    const timer = setInterval(() => {
      setAt((cur) => {
        const next = Math.min(end, Math.max(cur, start) + step);
        if (next >= end) setPlaying(false);
        return next;
      });
    }, FRAME_MS);
    return () => clearInterval(timer);
  }, [playing, start, end]);

  const play = () => {
    setAt(!playing && shown >= end ? start : shown);
    setFollow(false);
    setPlaying(!playing);
  };
  const secs = (shown - start) / 1000;
  const span = end - start;
  const stepMs = span <= 20_000 ? 100 : 1000;

  return (
    <section class="panel rd-replay" data-testid="replay" data-round={round.n}>
      <h2>{t("replayTitle", { n: round.n })}</h2>
      <p class="muted">{t("replayHint")}</p>
      {round.logPruned ? <p class="rd-warn">{t("logPruned")}</p> : (
        <>
          <div class="rd-replay-bar">
            <button type="button" class="primary rd-play" data-testid="replay-play" onClick={play} aria-pressed={playing} disabled={span <= 0}>
              {playing ? `❚❚ ${t("pause")}` : `▶ ${t("play")}`}
            </button>
            <label class="rd-slider">
              <span class="sr-only">{t("replaySlider")}</span>
              <input type="range" data-testid="replay-slider" min={start} max={end} step={stepMs} value={shown}
                onInput={(e) => {
                  const v = Number(e.currentTarget.value);
                  setPlaying(false);
                  setFollow(v >= end);
                  setAt(v);
                }} aria-valuetext={fmtDuration(secs)} />
            </label>
            <span class="rd-time" data-testid="replay-time" data-seconds={Math.round(secs)} aria-live="polite">
              t = {fmtDuration(secs)} <span class="muted">/ {fmtDuration(span / 1000)}</span>
            </span>
          </div>
          <p class="muted rd-small">
            {t("simClock")}: {new Date(shown).toISOString().slice(11, 19)}{round.running ? ` · ${t("stillRunning")}` : ""}
          </p>
          {error && <div class="error-box" role="alert">{error}</div>}
          <div class={`rd-replay-map ${busy ? "stale" : ""}`} data-at={data?.at}>
            {data ? <RoundMap map={data} prefix="replay" /> : !error && <p class="muted">{t("loading")}</p>}
          </div>
        </>
      )}
    </section>
  );
}

// Loading a round's outcomes: once for an ended round (they are kept as they were at its end), every
// few seconds for the running one (the server computes them up to now).
import { useEffect, useState } from "preact/hooks";
import { ApiError, json, type Api } from "../../api";
import type { Live } from "../../live";
import type { Outcomes } from "./types";

export const REFRESH_MS = 3000;

export interface Loaded { data?: Outcomes; error?: string; loading: boolean }

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
}

const serverNow = new WeakMap<Live, { at: number; real: number }>();

/**
 * The simulated time now: the live feed's clock, or later when the server said so. A running round's
 * outcomes are computed up to the server's now, and a skip ahead (POST /clock/advance) may not have
 * reached the feed's clock yet.
 */
export function simNow(live: Live): number {
  const seen = serverNow.get(live);
  const c = live.settings.value?.clock;
  const est = seen && c ? (c.paused ? seen.at : seen.at + (Date.now() - seen.real) * c.speed) : 0;
  return Math.max(live.simNow(), est);
}

export function useOutcomes(api: Api, live: Live, n: number | undefined, running: boolean): Loaded {
  const [state, set] = useState<{ n?: number; data?: Outcomes; error?: string }>({});
  useEffect(() => {
    if (n === undefined) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const data: Outcomes = await json(api.kc.rounds[":n"].outcomes.$get({ param: { ...api.id, n: String(n) }, query: {} }));
        if (data.round.running) serverNow.set(live, { at: data.round.endedAt, real: Date.now() });
        if (alive) set({ n, data });
      } catch (e) {
        if (alive) set((s) => ({ n, data: s.n === n ? s.data : undefined, error: errorText(e) }));
      }
      // Only a visible page keeps asking: a backgrounded projector tab costs the classroom nothing.
      if (alive && running) timer = setTimeout(load, document.visibilityState === "visible" ? REFRESH_MS : REFRESH_MS * 5);
    };
    void load();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [api, live, n, running]);
  if (n === undefined || state.n !== n) return { loading: n !== undefined };
  return { data: state.data, error: state.error, loading: false };
}

// One pattern for every console control: run an API call, show "working" (and disable the
// section's buttons so clicks cannot race), then the result or the API's error beside the control.
import { useState } from "preact/hooks";
import { ApiError } from "../../api";

export interface Outcome { key: string; ok: boolean; text: string; error?: ApiError }

export function useActions() {
  const [state, setState] = useState<{ busy?: string; result?: Outcome }>({});
  const run = async (key: string, fn: () => Promise<string | void>) => {
    setState({ busy: key });
    try {
      const text = (await fn()) ?? "";
      setState({ result: { key, ok: true, text } });
    } catch (e) {
      const error = e instanceof ApiError ? e : undefined;
      setState({ result: { key, ok: false, text: error ? error.message : String(e), error } });
    }
  };
  return {
    run,
    busy: (key: string) => state.busy === key,
    anyBusy: state.busy !== undefined,
    message: (key: string) => (state.result?.key === key ? state.result : undefined),
  };
}

/** The outcome of the last action near its control: green text, or the API's message in red. */
export function Result({ r, testid = "console-result" }: { r?: Outcome; testid?: string }) {
  if (!r || !r.text) return null;
  return <div class={r.ok ? "console-ok" : "console-error"} data-testid={testid} data-ok={r.ok} role={r.ok ? "status" : "alert"}>{r.text}</div>;
}

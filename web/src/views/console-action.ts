// One pattern for every console control: run an API call, show "working", then its result or the
// API's error next to the control that started it.
import { useState } from "preact/hooks";
import { ApiError } from "../api";

export interface ActionState {
  busy?: string;
  result?: { key: string; ok: boolean; text: string };
}

export function useActions() {
  const [state, setState] = useState<ActionState>({});
  const run = async (key: string, fn: () => Promise<string | void>) => {
    setState({ busy: key });
    try {
      const text = (await fn()) ?? "";
      setState({ result: { key, ok: true, text } });
    } catch (e) {
      setState({ result: { key, ok: false, text: e instanceof ApiError ? e.message : String(e) } });
    }
  };
  const busy = (key: string) => state.busy === key;
  const anyBusy = state.busy !== undefined;
  const message = (key: string) => (state.result?.key === key ? state.result : undefined);
  return { run, busy, anyBusy, message };
}

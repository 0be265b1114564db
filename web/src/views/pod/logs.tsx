// A pod's logs on demand (kubectl logs --tail=200): fetched when asked, refreshed when asked, so
// an open panel does not keep the classroom busy.
import { useState } from "preact/hooks";
import { ApiError } from "../../api";
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";

const S: Strings = {
  en: { logs: "Logs", title: "Logs (last 200 lines)", container: "Container", refresh: "Refresh", hide: "Hide", loading: "Loading…", empty: "(no output yet)" },
  "pt-BR": { logs: "Logs", title: "Logs (últimas 200 linhas)", container: "Contêiner", refresh: "Atualizar", hide: "Esconder", loading: "Carregando…", empty: "(nenhuma saída ainda)" },
};

export function PodLogs({ namespace, name, containers }: { namespace: string; name: string; containers: string[] }) {
  const t = useT(S);
  const { api } = useClassroom();
  const [open, setOpen] = useState(false);
  const [container, setContainer] = useState(containers[0] ?? "");
  const [text, setText] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function load(c = container) {
    setOpen(true);
    setBusy(true);
    setError(undefined);
    try {
      const q = new URLSearchParams({ container: c, tailLines: "200" });
      setText(await api.logs(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${q}`));
    } catch (e) {
      setText(undefined);
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="pd-section pd-logs">
      <div class="pd-section-head">
        <h3>{t("title")}</h3>
        {!open
          ? <button type="button" onClick={() => load()} data-testid="logs-button">{t("logs")}</button>
          : (
            <div class="row">
              {containers.length > 1 && (
                <label class="inline">
                  <span class="sr-only">{t("container")}</span>
                  <select value={container} data-testid="logs-container"
                    onChange={(e) => { const c = (e.target as HTMLSelectElement).value; setContainer(c); void load(c); }}>
                    {containers.map((c) => <option key={c} value={c}>{c}</option>)}
                  </select>
                </label>
              )}
              <button type="button" class="small" onClick={() => load()} disabled={busy} data-testid="logs-refresh">{t("refresh")}</button>
              <button type="button" class="small" onClick={() => setOpen(false)}>{t("hide")}</button>
            </div>
          )}
      </div>
      {open && (error
        ? <div class="error-box" data-testid="logs-error">{error}</div>
        : <pre class="pd-log" data-testid="pod-logs">{busy && text === undefined ? t("loading") : text || t("empty")}</pre>)}
    </section>
  );
}

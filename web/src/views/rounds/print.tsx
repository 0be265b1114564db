// Exports of a round's outcomes: the JSON as served, the server's CSV (one row per student), and a
// printable summary. Printing puts a class on <body> that turns the page into a plain report (the
// app's chrome and controls hidden, on screen and on paper) and opens the browser's print dialog;
// the report stays until closed, so it can also be shown on the projector.
import { useEffect, useState } from "preact/hooks";
import { download, text } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { useObservable } from "../../observable";
import { errorText } from "./data";
import { S } from "./strings";
import type { Outcomes, Round } from "./types";

export const PRINT_CLASS = "rounds-print";

export function closePrint(): void {
  document.body.classList.remove(PRINT_CLASS);
}

function openPrint(): void {
  document.body.classList.add(PRINT_CLASS);
  window.scrollTo(0, 0);
  // Let the report lay out (charts measure their width) before the dialog freezes the page.
  setTimeout(() => window.print(), 250);
}

export function ExportBar({ round, outcomes }: { round: Round; outcomes: Outcomes }) {
  const t = useT(S);
  const { api } = useClassroom();
  const [error, setError] = useState<string>();
  const csv = async () => {
    setError(undefined);
    try {
      const csv = await text(api.kc.rounds[":n"].outcomes.$get({ param: { ...api.id, n: String(round.n) }, query: { format: "csv" } }));
      download(`round-${round.n}-outcomes.csv`, csv, "text/csv");
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="rd-exports">
      <div class="row">
        <button type="button" data-testid="export-json" onClick={() => download(`round-${round.n}-outcomes.json`, `${JSON.stringify(outcomes, null, 2)}\n`, "application/json")}>⬇ JSON</button>
        <button type="button" data-testid="export-csv" onClick={csv}>⬇ CSV</button>
        <button type="button" data-testid="print" onClick={openPrint}>{t("print")}</button>
      </div>
      {error && <div class="error-box" role="alert">{error}</div>}
    </div>
  );
}

/** Shown only in the print layout: what the report is, and (on screen) the way back. */
export function PrintHeader() {
  const t = useT(S);
  const { live } = useClassroom();
  const settings = useObservable(live.settings);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closePrint();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="rd-print-head">
      <div class="rd-print-bar">
        <button type="button" class="primary" onClick={() => window.print()}>{t("printAgain")}</button>
        <button type="button" data-testid="print-close" onClick={closePrint}>✕ {t("closePrint")}</button>
      </div>
      <p class="rd-print-title"><strong>kubeclass · {settings?.name ?? ""}</strong> · {t("printedAt", { when: new Date().toLocaleString() })}</p>
    </div>
  );
}

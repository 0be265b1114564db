// What an apply attempt tells the student, under the panel that submitted it: kubectl's
// "deployment.apps/web created" lines, or the server's refusal verbatim.
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import type { Box, Report } from "./report";
import { S } from "./strings";

/** Created/configured lines (kubectl's words) and the server's refusals, under the panel that submitted. */
export function Outcome({ report }: { report: Report }) {
  const t = useT(S);
  const ctx = useClassroom();
  return (
    <div class="deploy-outcome" aria-live="polite">
      {report.headlines.length > 0 && report.source === "form" && <p class="headline" role="alert">{report.headlines.join("; ")}</p>}
      {report.boxes.map((b, i) => <ErrorBox key={i} box={b} />)}
      {report.applied.length > 0 && (
        <div class="ok-box" data-testid="deploy-result">
          {report.applied.map((a) => <div key={a.ref}><code>{a.ref} {a.verb}</code></div>)}
          <button type="button" class="see-map" data-testid="see-on-map" onClick={() => ctx.tab.set("map")}>{t("seeMap")} →</button>
        </div>
      )}
    </div>
  );
}

function ErrorBox({ box }: { box: Box }) {
  return (
    <div class="error-box" data-testid="deploy-error" role="alert">
      {box.title && <strong>{box.title}: </strong>}
      <span class="server-message">{box.message}</span>
      {box.hint && <div class="hint">{box.hint}</div>}
    </div>
  );
}

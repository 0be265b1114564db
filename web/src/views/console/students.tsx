// The instructor console, continued: the students (join link, quota, lock, who is here) and the
// danger zone (reset, etcd snapshot and restore).
import type { Snapshot } from "../../../../src/control-plane/etcd/store";
import { ApiError, download, json, text } from "../../api";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { podStatus } from "../../k8s";
import { useObservable } from "../../observable";
import { Result, useActions } from "./action";
import { S } from "./strings";
import { RemoveStudent, StudentAccess } from "./access";

const QUOTA_FIELDS = [["pods", "quotaPods", "20"], ["cpu", "quotaCpu", "2"], ["memory", "quotaMemory", "4Gi"]] as const;

export function StudentControls() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const cluster = useObservable(live.cluster);
  const people = useObservable(live.people);
  const a = useActions();
  if (!settings) return null;

  const students = [...cluster.objects.namespaces.values()].map((n) => n.metadata.name ?? "").filter((n) => n.startsWith("student-")).map((n) => n.slice("student-".length)).sort();
  const pods = [...cluster.objects.pods.values()];
  const quotaResult = a.message("quota");
  const fieldError = (f: string) => quotaResult?.error?.causes.find((c) => c.field === f)?.message;
  const generalQuotaError = quotaResult && !quotaResult.ok && !quotaResult.error?.causes.some((c) => c.field) ? quotaResult : undefined;

  function saveQuota(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body: { [K in (typeof QUOTA_FIELDS)[number][0]]?: string } = {};
    for (const [k] of QUOTA_FIELDS) {
      const v = String(f.get(k) ?? "").trim();
      if (v) body[k] = v;
    }
    void a.run("quota", () => json(api.kc.quota.$put({ param: api.id, json: body })).then((r) => t("quotaSaved", { n: r.students })));
  }

  return (
    <div class="panel" data-testid="console-students">
      <h3>{t("students")}</h3>
      <StudentAccess />
      <div class="grid2">
        {/* Keyed on the saved quota: the fields refill when it changes (here or in another tab), and keep what is typed otherwise. */}
        <form key={JSON.stringify(settings.quota)} onSubmit={saveQuota} data-testid="quota-form" noValidate>
          <strong>{t("quota")}</strong>
          <div class="row quota-fields">
            {QUOTA_FIELDS.map(([k, label, placeholder]) => (
              <label key={k}>
                <span>{t(label)}</span>
                <input name={k} defaultValue={settings.quota[k] ?? ""} placeholder={placeholder} class={fieldError(k) ? "invalid" : ""} aria-invalid={!!fieldError(k)} data-testid={`quota-${k}`} />
                {fieldError(k) && <div class="field-error" data-testid={`quota-${k}-error`}>{fieldError(k)}</div>}
              </label>
            ))}
          </div>
          <p class="muted small">{t("quotaHint")}</p>
          <button class="primary" disabled={a.anyBusy} data-testid="quota-apply">{a.busy("quota") ? "…" : t("apply")}</button>
          <Result r={quotaResult?.ok ? quotaResult : generalQuotaError} testid="quota-result" />
        </form>
        <div>
          <div class="row">
            <button type="button" class={settings.locked ? "primary" : ""} aria-pressed={settings.locked} disabled={a.anyBusy} data-testid="lock"
              onClick={() => a.run("lock", () => json(api.kc.lock.$put({ param: api.id, json: { locked: !settings.locked } })).then(() => ""))}>
              {a.busy("lock") ? "…" : settings.locked ? t("unlock") : t("lock")}
            </button>
            <span class={`badge ${settings.locked ? "wait" : "ok"}`} data-testid="lock-state">{settings.locked ? t("lockedState") : t("unlockedState")}</span>
          </div>
          {settings.locked && <p class="muted small">{t("lockedNow")}</p>}
          <Result r={a.message("lock")} />
        </div>
      </div>
      {students.length === 0 ? <p class="muted">{t("none")}</p> : (
        <table data-testid="student-list" class="students-table">
          <thead><tr><th>{t("student")}</th><th>{t("namespace")}</th><th><span class="sr-only">presence</span></th><th>{t("pods")}</th><th><span class="sr-only">{t("actions")}</span></th></tr></thead>
          <tbody>
            {students.map((s) => {
              const here = people.find((p) => p.role === "student" && (p.namespace === `student-${s}` || p.name === s));
              const mine = pods.filter((p) => p.metadata.namespace === `student-${s}`);
              const running = mine.filter((p) => podStatus(p) === "Running").length;
              return (
                <tr key={s} data-testid={`student-${s}`} data-online={!!here}>
                  <td data-label={t("student")}><strong>{s}</strong></td>
                  <td data-label={t("namespace")}><code>student-{s}</code></td>
                  <td data-label=""><span class={`badge ${here ? "ok" : ""}`}>{here ? `● ${t("online")}${here.connections > 1 ? ` ×${here.connections}` : ""}` : t("offline")}</span></td>
                  <td data-label={t("pods")}>{mine.length}{mine.length > 0 && <span class="muted small"> ({running} {t("running_pods")})</span>}</td>
                  <td data-label=""><RemoveStudent name={s} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function DangerZone() {
  const t = useT(S);
  const { api } = useClassroom();
  const a = useActions();

  async function snapshot(): Promise<string> {
    // Fetched as text so the file is byte for byte what the server sent.
    const file = await text(api.kc.etcd.snapshot.$get({ param: api.id }));
    const rev = (JSON.parse(file) as Snapshot).revision;
    download(`etcd-snapshot-${rev}.json`, file, "application/json");
    return t("snapshotDone", { rev });
  }

  async function restore(file: File): Promise<string> {
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      throw new ApiError(400, t("notJson", { file: file.name }));
    }
    // Whatever the file holds: what is wrong with it is the server's to say.
    const r = await json(api.kc.etcd.restore.$post({ param: api.id, json: body as Snapshot }));
    return t("restored", { rev: r.revision });
  }

  return (
    <div class="panel danger-zone" data-testid="console-danger">
      <h3>{t("danger")}</h3>
      <p class="muted small">{t("dangerHint")}</p>
      <div class="row">
        <button type="button" disabled={a.anyBusy} data-testid="snapshot" onClick={() => a.run("snapshot", snapshot)}>{a.busy("snapshot") ? "…" : t("snapshot")}</button>
        <label class={`button file-button ${a.anyBusy ? "disabled" : ""}`}>
          {a.busy("restore") ? "…" : t("restore")}
          <input type="file" accept="application/json,.json" class="sr-only" disabled={a.anyBusy} data-testid="restore" onChange={(e) => {
            const input = e.target as HTMLInputElement;
            const f = input.files?.[0];
            if (f) void a.run("restore", () => restore(f));
            input.value = ""; // the same file can be chosen again
          }} />
        </label>
        <button type="button" class="danger" disabled={a.anyBusy} data-testid="reset" onClick={() => a.run("reset", async () => {
          if (!confirm(t("confirmReset"))) return "";
          const r = await json(api.kc.reset.$post({ param: api.id }));
          return t("resetDone", { n: r.deleted });
        })}>{a.busy("reset") ? "…" : t("reset")}</button>
      </div>
      <Result r={a.message("snapshot")} testid="snapshot-result" />
      <Result r={a.message("restore")} testid="restore-result" />
      <Result r={a.message("reset")} testid="reset-result" />
    </div>
  );
}

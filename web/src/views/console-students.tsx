// The instructor console, continued: students (quota, lock, who is here) and the cluster as a
// whole (reset, etcd snapshot and restore, the join link to share).
import { useState } from "preact/hooks";
import { ApiError, download } from "../api";
import { useClassroom } from "../context";
import { useT } from "../i18n";
import { useObservable } from "../observable";
import { useActions } from "./console-action";
import { S } from "./console-strings";
import { CopyField } from "./home";

export function StudentControls() {
  const t = useT(S);
  const { api, live } = useClassroom();
  const settings = useObservable(live.settings);
  const cluster = useObservable(live.cluster);
  const people = useObservable(live.people);
  const a = useActions();
  const [quotaError, setQuotaError] = useState<ApiError | undefined>();
  if (!settings) return null;

  const students = [...cluster.objects.namespaces.values()].map((n) => n.metadata.name ?? "").filter((n) => n.startsWith("student-")).map((n) => n.slice("student-".length)).sort();
  const podCount = (name: string) => [...cluster.objects.pods.values()].filter((p) => p.metadata.namespace === `student-${name}`).length;
  const fieldError = (f: string) => quotaError?.causes.find((c) => c.field === f)?.message;

  async function saveQuota(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body: Record<string, string> = {};
    for (const k of ["pods", "cpu", "memory"]) {
      const v = String(f.get(k) ?? "").trim();
      if (v) body[k] = v;
    }
    setQuotaError(undefined);
    await a.run("quota", async () => {
      try {
        const r = await api.kc("PUT", "/quota", body);
        return `${t("saved")} (${r.students} ${t("students").toLowerCase()})`;
      } catch (err) {
        if (err instanceof ApiError && err.causes.length) setQuotaError(err);
        throw err;
      }
    });
  }

  const quotaField = (k: "pods" | "cpu" | "memory", label: string, placeholder: string) => (
    <label>
      <span>{label}</span>
      <input name={k} value={settings.quota[k] ?? ""} placeholder={placeholder} class={fieldError(k) ? "invalid" : ""} data-testid={`quota-${k}`} />
      {fieldError(k) && <div class="field-error" data-testid={`quota-${k}-error`}>{fieldError(k)}</div>}
    </label>
  );
  const res = (k: string) => {
    const r = a.message(k);
    return r?.text ? <div class={r.ok ? "console-ok" : "field-error"} role="status">{r.text}</div> : null;
  };

  return (
    <div class="panel">
      <h3>{t("students")}</h3>
      <div class="grid2">
        <form onSubmit={saveQuota} data-testid="quota-form">
          <strong>{t("quota")}</strong>
          <div class="row quota-fields">
            {quotaField("pods", t("quotaPods"), "20")}
            {quotaField("cpu", t("quotaCpu"), "2")}
            {quotaField("memory", t("quotaMemory"), "4Gi")}
          </div>
          <button class="primary" disabled={a.anyBusy} data-testid="quota-apply">{t("apply")}</button>
          {!quotaError && res("quota")}
        </form>
        <div>
          <button class={settings.locked ? "primary" : ""} disabled={a.anyBusy} data-testid="lock" onClick={() => a.run("lock", () => api.kc("PUT", "/lock", { locked: !settings.locked }).then(() => ""))}>
            {settings.locked ? t("unlock") : t("lock")}
          </button>
          {settings.locked && <p class="muted small">{t("lockedNow")}</p>}
          {res("lock")}
        </div>
      </div>
      {students.length === 0 ? <p class="muted">{t("none")}</p> : (
        <div class="table-wrap">
          <table data-testid="student-list">
            <thead><tr><th>{t("student")}</th><th>{t("namespace")}</th><th /><th>{t("pods")}</th></tr></thead>
            <tbody>
              {students.map((s) => {
                const here = people.some((p) => p.role === "student" && p.name === s);
                return (
                  <tr key={s} data-testid={`student-${s}`}>
                    <td><strong>{s}</strong></td>
                    <td><code>student-{s}</code></td>
                    <td><span class={`badge ${here ? "ok" : ""}`}>{here ? t("online") : t("offline")}</span></td>
                    <td>{podCount(s)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ClusterControls() {
  const t = useT(S);
  const { api, id, me } = useClassroom();
  const a = useActions();
  const joinUrl = localStorage.getItem(`kubeclass.${id}.joinUrl`);
  const res = (k: string) => {
    const r = a.message(k);
    return r?.text ? <div class={r.ok ? "console-ok" : "field-error"} role="status" data-testid={`${k}-result`}>{r.text}</div> : null;
  };

  async function snapshot(): Promise<string> {
    const res = await fetch(`/api/classrooms/${id}/etcd/snapshot`, { headers: { authorization: `Bearer ${me.token}` } });
    if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({}))).message ?? res.statusText);
    const text = await res.text();
    const rev = JSON.parse(text).revision;
    download(`etcd-snapshot-${rev}.json`, text, "application/json");
    return `revision ${rev}`;
  }

  async function restore(file: File): Promise<string> {
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      throw new ApiError(400, `${file.name}: not a JSON snapshot`);
    }
    const r = await api.kc("POST", "/etcd/restore", body);
    return t("restored", { rev: r.revision });
  }

  return (
    <div class="panel">
      <h3>{t("danger")}</h3>
      {joinUrl && <CopyField label={t("joinLink")} value={joinUrl} testid="console-join-url" />}
      <div class="row">
        <button disabled={a.anyBusy} data-testid="snapshot" onClick={() => a.run("snapshot", snapshot)}>{t("snapshot")}</button>
        <label class="button">
          {t("restore")}
          <input type="file" accept="application/json,.json" class="sr-only" data-testid="restore" onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) void a.run("restore", () => restore(f));
            (e.target as HTMLInputElement).value = "";
          }} />
        </label>
        <button class="danger" disabled={a.anyBusy} data-testid="reset" onClick={() => a.run("reset", async () => {
          if (!confirm(t("confirmReset"))) return "";
          const r = await api.kc("POST", "/reset");
          return t("resetDone", { n: r.deleted });
        })}>{t("reset")}</button>
      </div>
      {res("snapshot")}{res("restore")}{res("reset")}
    </div>
  );
}

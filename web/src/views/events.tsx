// The whole cluster's events, newest first, as `kubectl get events -A` shows them plus whose they
// are: filter by student, Warnings only, or free text. Clicking a pod's event opens that pod.
import { useState } from "preact/hooks";
import { useClassroom } from "../context";
import { useT, type Strings } from "../i18n";
import { age, eventTime } from "../k8s";
import type { LiveObject } from "../live";
import { useObservable } from "../observable";
import { byName, personColor, studentsOf, useTick } from "./map-util";
import "./events.css";

const S: Strings = {
  en: {
    title: "Events", student: "Student", all: "all", system: "system", type: "Type", allTypes: "all types", warnings: "Warning only",
    search: "Search", searchPh: "reason, object, message…", shown: "{shown} of {total} events", capped: "showing the newest {n}",
    lastSeen: "Last seen", reason: "Reason", object: "Object", message: "Message", namespace: "Namespace", none: "No events match.",
    open: "Open pod {name}",
  },
  "pt-BR": {
    title: "Eventos", student: "Aluno", all: "todos", system: "sistema", type: "Tipo", allTypes: "todos os tipos", warnings: "só Warning",
    search: "Buscar", searchPh: "motivo, objeto, mensagem…", shown: "{shown} de {total} eventos", capped: "mostrando os {n} mais recentes",
    lastSeen: "Visto há", reason: "Motivo", object: "Objeto", message: "Mensagem", namespace: "Namespace", none: "Nenhum evento corresponde.",
    open: "Abrir o Pod {name}",
  },
};

const CAP = 300;

interface Row { e: LiveObject; time: number; ns: string; student: string | undefined; kind: string; name: string; text: string }

/** Whose event it is: the student of the involved object's namespace (student-<x> → x), else the system's. */
function studentOfNs(ns: string): string | undefined {
  return ns.startsWith("student-") ? ns.slice("student-".length) : undefined;
}

export function EventsFeed() {
  const t = useT(S);
  const ctx = useClassroom();
  const { live } = ctx;
  const cluster = useObservable(live.cluster);
  useTick(5000);
  const [student, setStudent] = useState("all");
  const [type, setType] = useState("all");
  const [q, setQ] = useState("");

  const rows: Row[] = [];
  const seen = new Set<string>();
  for (const e of cluster.objects.events.values()) {
    const ref = e.involvedObject ?? e.regarding ?? {};
    const ns: string = ref.namespace ?? e.metadata.namespace ?? "";
    const st = studentOfNs(ns);
    if (st) seen.add(st);
    const kind: string = ref.kind ?? "";
    const name: string = ref.name ?? "";
    const msg: string = e.message ?? e.note ?? "";
    rows.push({ e, time: eventTime(e), ns, student: st, kind, name, text: `${e.reason ?? ""} ${kind}/${name} ${ns} ${msg} ${e.type ?? ""}`.toLowerCase() });
  }
  const students = [...new Set([...studentsOf(cluster.objects), ...seen])].sort(byName);
  const needle = q.trim().toLowerCase();
  const matched = rows.filter((r) =>
    (student === "all" || (student === "system" ? r.student === undefined : r.student === student))
    && (type === "all" || r.e.type === type)
    && (!needle || r.text.includes(needle)));
  matched.sort((a, b) => b.time - a.time);
  const shown = matched.slice(0, CAP);
  const now = live.simNow();
  const open = (r: Row) => ctx.selected.set({ namespace: r.ns, name: r.name });

  return (
    <div class="events-feed" data-testid="events">
      <div class="ev-filters">
        <label>
          <span>{t("student")}</span>
          <select value={student} onChange={(e) => setStudent((e.target as HTMLSelectElement).value)} data-testid="events-student">
            <option value="all">{t("all")}</option>
            {students.map((s) => <option key={s} value={s}>{s}</option>)}
            <option value="system">{t("system")}</option>
          </select>
        </label>
        <label>
          <span>{t("type")}</span>
          <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)} data-testid="events-type">
            <option value="all">{t("allTypes")}</option>
            <option value="Warning">{t("warnings")}</option>
          </select>
        </label>
        <label class="ev-search">
          <span>{t("search")}</span>
          <input type="search" value={q} placeholder={t("searchPh")} onInput={(e) => setQ((e.target as HTMLInputElement).value)} data-testid="events-search" />
        </label>
        <p class="muted ev-count" aria-live="polite">
          {t("shown", { shown: shown.length, total: rows.length })}{matched.length > CAP ? ` · ${t("capped", { n: CAP })}` : ""}
        </p>
      </div>
      {shown.length === 0 ? <p class="muted">{t("none")}</p> : (
        <div class="ev-scroll">
          <table class="ev-table">
            <thead>
              <tr>
                <th>{t("lastSeen")}</th><th>{t("type")}</th><th>{t("reason")}</th><th>{t("object")}</th><th>{t("message")}</th><th>{t("namespace")}</th><th>{t("student")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const isPod = r.kind === "Pod" && !!r.ns;
                const count: number = r.e.count ?? r.e.series?.count ?? 1;
                return (
                  <tr key={r.e.metadata.uid ?? `${r.ns}/${r.e.metadata.name}`} data-testid="event-row" data-type={r.e.type}
                    class={`${r.e.type === "Warning" ? "warning" : ""} ${isPod ? "clickable" : ""}`}
                    tabIndex={isPod ? 0 : undefined} role={isPod ? "button" : undefined} aria-label={isPod ? t("open", { name: r.name }) : undefined}
                    onClick={isPod ? () => open(r) : undefined}
                    onKeyDown={isPod ? (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(r); } } : undefined}>
                    <td data-label={t("lastSeen")} class="ev-age">{age(new Date(r.time).toISOString(), now)}{count > 1 ? ` (×${count})` : ""}</td>
                    <td data-label={t("type")} class="ev-type">{r.e.type === "Warning" ? "⚠ Warning" : r.e.type}</td>
                    <td data-label={t("reason")} class="ev-reason"><strong>{r.e.reason}</strong></td>
                    <td data-label={t("object")} class="ev-obj"><code>{r.kind.toLowerCase()}/{r.name}</code></td>
                    <td data-label={t("message")} class="ev-msg">{r.e.message ?? r.e.note}</td>
                    <td data-label={t("namespace")} class="ev-ns"><code>{r.ns}</code></td>
                    <td data-label={t("student")}>
                      {r.student ? <span class="ev-who" style={{ background: personColor(r.student) }}>{r.student}</span> : <span class="muted">{t("system")}</span>}
                    </td>
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

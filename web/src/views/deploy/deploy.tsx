// The Deploy tab: two ways to put something on the cluster, side by side on wide screens. A YAML
// editor (templates, multi-document, server-side apply) that shows the API server's field errors
// at their line, and a quick form for a Pod or Deployment that shows them at their input.
import { useMemo, useRef, useState } from "preact/hooks";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { applyAll } from "./apply";
import { DeployFormPanel } from "./form-panel";
import { Outcome } from "./outcome";
import { emptyReport, yamlReport, type Report } from "./report";
import { defaultNamespace } from "./resources";
import { S } from "./strings";
import { TEMPLATE_KEYS, TEMPLATES, type TemplateKey } from "./templates";
import { insertIndent, lineOffset, lineStarts, parseManifests, type LineError, type SyntaxIssue } from "./yaml";
import "./deploy.css";

// The editor's text outlives switching tabs (the view unmounts): kept per classroom for this tab.
const yamlKey = (id: string) => `kubeclass.${id}.deploy.yaml`;
function loadYaml(id: string): string {
  try {
    return sessionStorage.getItem(yamlKey(id)) ?? TEMPLATES.Deployment;
  } catch {
    return TEMPLATES.Deployment;
  }
}
function saveYaml(id: string, text: string): void {
  try {
    sessionStorage.setItem(yamlKey(id), text);
  } catch {
    /* storage full or disabled: the text just won't survive a tab switch */
  }
}

export function Deploy() {
  const t = useT(S);
  const ctx = useClassroom();
  const ns = defaultNamespace(ctx.me);
  const [text, setTextState] = useState(() => loadYaml(ctx.id));
  const [report, setReport] = useState<Report | undefined>();
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);

  const setText = (v: string) => {
    setTextState(v);
    saveYaml(ctx.id, v);
    // Syntax errors are cheap to re-check, so they clear as soon as they are fixed.
    if (report?.source === "yaml" && report.syntax.length) setReport({ ...report, syntax: parseManifests(v).syntax });
  };

  /** Applies objects and reports; `toReport` sorts the outcomes for the panel that submitted. */
  async function run(objects: unknown[], toReport: (o: Awaited<ReturnType<typeof applyAll>>) => Report) {
    setBusy(true);
    setReport(undefined); // no stale verdict while this one is on its way
    try {
      const r = toReport(await applyAll(ctx.api, objects, ns));
      setReport(r);
      if (r.applied.length) ctx.highlight.set(new Set(r.applied.map((a) => a.key)));
    } finally {
      setBusy(false);
    }
  }

  async function applyYaml() {
    if (busy) return;
    const { manifests, syntax } = parseManifests(text);
    if (syntax.length) return setReport({ ...emptyReport("yaml"), syntax });
    if (!manifests.length) return setReport({ ...emptyReport("yaml"), boxes: [{ message: t("noObjects") }] });
    const starts = lineStarts(text);
    await run(manifests.map((m) => m.object), (o) => yamlReport(manifests, o, starts, t));
  }

  function editAsYaml(yaml: string) {
    setText(yaml);
    setReport(undefined);
    editor.current?.focus();
    editor.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  const yamlRep = report?.source === "yaml" ? report : undefined;
  return (
    <div class="deploy" data-testid="deploy" data-busy={busy ? "true" : "false"}>
      <section class="panel deploy-yaml" aria-busy={busy}>
        <h2>{t("yamlTitle")}</h2>
        <p class="muted">{t("yamlIntro")}</p>
        <p class="muted" data-testid="deploy-namespace">{t("namespace", { ns })}</p>
        <YamlEditor text={text} setText={setText} lines={yamlRep?.lines ?? []} syntax={yamlRep?.syntax ?? []} headlines={yamlRep?.headlines ?? []} busy={busy} onApply={applyYaml} editor={editor} />
        {yamlRep && <Outcome report={yamlRep} />}
      </section>
      <DeployFormPanel busy={busy} report={report?.source === "form" ? report : undefined} run={run} onEditAsYaml={editAsYaml} />
    </div>
  );
}

interface EditorProps {
  text: string;
  setText: (v: string) => void;
  lines: LineError[];
  syntax: SyntaxIssue[];
  headlines: string[];
  busy: boolean;
  onApply: () => void;
  editor: { current: HTMLTextAreaElement | null };
}

function YamlEditor({ text, setText, lines, syntax, headlines, busy, onApply, editor }: EditorProps) {
  const t = useT(S);
  const gutter = useRef<HTMLDivElement>(null);
  const escaped = useRef(false);
  const [undo, setUndo] = useState<string | undefined>();
  // The select shows a template only while the text is exactly it, so picking it again (after
  // edits) fires a change and starts over.
  const template = TEMPLATE_KEYS.find((k) => TEMPLATES[k] === text) ?? "";
  const count = useMemo(() => lineStarts(text).length, [text]);
  // Line → its messages, for the gutter's red markers.
  const marks = useMemo(() => {
    const m = new Map<number, string[]>();
    for (const e of lines) m.set(e.line, [...(m.get(e.line) ?? []), `${e.field}: ${e.message}`]);
    for (const e of syntax) m.set(e.line, [...(m.get(e.line) ?? []), e.message]);
    return m;
  }, [lines, syntax]);

  function pickTemplate(key: TemplateKey | "") {
    if (!key) return;
    const next = TEMPLATES[key];
    // Keep what the student wrote, one step back, unless it was an untouched template.
    setUndo(text.trim() && !Object.values(TEMPLATES).includes(text) ? text : undefined);
    setText(next);
  }

  function onKeyDown(e: KeyboardEvent) {
    const ta = e.currentTarget as HTMLTextAreaElement;
    if (e.key === "Escape") return void (escaped.current = true);
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      return onApply();
    }
    const leave = escaped.current;
    escaped.current = false;
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey || leave) return;
    e.preventDefault();
    // execCommand keeps the browser's undo history; the fallback edits the value directly.
    if (!document.execCommand?.("insertText", false, "  ")) {
      const { text: next, caret } = insertIndent(ta.value, ta.selectionStart, ta.selectionEnd);
      ta.value = next;
      ta.setSelectionRange(caret, caret);
      setText(next);
    }
  }

  function jumpTo(line: number) {
    const ta = editor.current;
    if (!ta) return;
    const starts = lineStarts(ta.value);
    const from = lineOffset(starts, line);
    const to = line < starts.length ? starts[line] - 1 : ta.value.length;
    ta.focus();
    ta.setSelectionRange(from, to);
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
    ta.scrollTop = Math.max(0, (line - 1) * lh - ta.clientHeight / 3);
  }

  return (
    <>
      <div class="row deploy-toolbar">
        <label class="inline">
          <span>{t("template")}</span>
          <select data-testid="template" value={template} onChange={(e) => pickTemplate((e.currentTarget as HTMLSelectElement).value as TemplateKey | "")}>
            <option value="">{t("templateNone")}</option>
            {TEMPLATE_KEYS.map((k) => <option key={k} value={k}>{k.replace("+", " + ")}</option>)}
          </select>
        </label>
        {undo !== undefined && template && (
          <span class="muted" data-testid="template-replaced">
            {t("replaced")} <button type="button" data-testid="template-undo" onClick={() => { setText(undo); setUndo(undefined); }}>{t("undo")}</button>
          </span>
        )}
      </div>
      <div class={`yaml-editor ${marks.size ? "has-errors" : ""}`}>
        <div class="gutter" ref={gutter} aria-hidden="true">
          <div class="gutter-lines">
            {Array.from({ length: count }, (_, i) => {
              const msgs = marks.get(i + 1);
              return <div key={i} class={msgs ? "err" : ""} title={msgs?.join("\n")} data-testid={msgs ? "gutter-error" : undefined} data-line={msgs ? i + 1 : undefined}>{i + 1}</div>;
            })}
          </div>
        </div>
        <textarea
          ref={editor}
          class={`code ${marks.size ? "invalid" : ""}`}
          data-testid="yaml"
          aria-label={t("editorLabel")}
          aria-describedby="deploy-tab-hint"
          aria-invalid={marks.size > 0}
          wrap="off"
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={onKeyDown}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = (e.currentTarget as HTMLTextAreaElement).scrollTop; }}
        />
      </div>
      <div class="row apply-row">
        <button type="button" class="primary" data-testid="apply" disabled={busy} onClick={onApply}>{busy ? t("applying") : t("apply")}</button>
        <span class="muted small" id="deploy-tab-hint">{t("tabHint")}</span>
      </div>
      {syntax.length > 0 && (
        <div class="line-errors" role="alert">
          <strong>{t("syntaxTitle")}</strong>
          <ul>
            {syntax.map((s, i) => (
              <li key={i} class="field-error" data-testid="syntax-error" data-line={s.line}>
                <button type="button" class="line-link" onClick={() => jumpTo(s.line)}>{t("lineCol", { n: s.line, c: s.col })}</button>: {s.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {lines.length > 0 && (
        <div class="line-errors" role="alert">
          <strong>{t("fieldsTitle")}</strong>
          {headlines.map((h, i) => <div key={i} class="headline">{h}</div>)}
          <ul>
            {lines.map((l, i) => (
              <li key={i} class="field-error" data-testid="field-error" data-field={l.field} data-line={l.line}>
                <button type="button" class="line-link" onClick={() => jumpTo(l.line)}>{t("line", { n: l.line })}</button>: {l.field && <><code>{l.field}</code>: </>}{l.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

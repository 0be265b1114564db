// The Deploy tab's quick form: a Pod or a Deployment with one container, its manifest previewed
// live. The API server's field errors show at the input they are about.
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { stringify } from "yaml";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import type { applyAll } from "./apply";
import { Outcome } from "./outcome";
import { buildManifest, IMAGE_SUGGESTIONS, initialForm, localProblems, type FormField, type FormKind, type FormState } from "./form";
import { formReport, type Report } from "./report";
import { S } from "./strings";

type Outcomes = Awaited<ReturnType<typeof applyAll>>;

interface Props {
  busy: boolean;
  report: Report | undefined;
  run: (objects: unknown[], toReport: (o: Outcomes) => Report) => Promise<void>;
  onEditAsYaml: (yaml: string) => void;
}

const formKey = (id: string) => `kubeclass.${id}.deploy.form`;
function loadForm(id: string): FormState {
  try {
    const saved = sessionStorage.getItem(formKey(id));
    if (saved) return { ...initialForm(), ...(JSON.parse(saved) as Partial<FormState>) };
  } catch {
    /* unreadable: start afresh */
  }
  return initialForm();
}

/** The manifest path an input stands for (data-field of client-side problems). */
function pathOf(input: FormField, kind: FormKind): string {
  const pod = kind === "Pod" ? "spec" : "spec.template.spec";
  return input === "labels" ? "metadata.labels" : input === "nodeSelector" ? `${pod}.nodeSelector` : input;
}

export function DeployFormPanel({ busy, report, run, onEditAsYaml }: Props) {
  const t = useT(S);
  const ctx = useClassroom();
  const [form, setForm] = useState<FormState>(() => loadForm(ctx.id));
  const [local, setLocal] = useState<{ field: FormField; bad: string[] }[]>([]);
  const manifest = useMemo(() => buildManifest(form), [form]);
  const preview = useMemo(() => stringify(manifest, { indentSeq: false, aliasDuplicateObjects: false }), [manifest]);

  const update = (k: keyof FormState, v: string) => {
    const next = { ...form, [k]: v } as FormState;
    setForm(next);
    if (local.some((p) => p.field === k)) setLocal(local.filter((p) => p.field !== k));
    try {
      sessionStorage.setItem(formKey(ctx.id), JSON.stringify(next));
    } catch {
      /* not kept across tabs then */
    }
  };

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const problems = localProblems(form);
    setLocal(problems);
    if (problems.length) return;
    const kind = form.kind;
    await run([manifest], (o) => formReport(kind, manifest, o, t));
  }

  /** Errors for one input: the server's causes, then text that is not key=value. */
  const errorsOf = (input: FormField): { field: string; message: string }[] => [
    ...(report?.inputs.filter((x) => x.input === input) ?? []),
    ...local.filter((p) => p.field === input).map((p) => ({ field: pathOf(input, form.kind), message: t("notKeyValue", { items: p.bad.join(", ") }) })),
  ];

  const field = (input: FormField, label: string, control: (invalid: boolean) => ComponentChildren, hint?: string) => {
    const errs = errorsOf(input);
    return (
      <label class={`form-field f-${input}`}>
        <span>{label}</span>
        {control(errs.length > 0)}
        {hint && <small class="muted">{hint}</small>}
        {errs.map((x, i) => <div key={i} class="field-error" data-testid="field-error" data-field={x.field}>{x.message}</div>)}
      </label>
    );
  };
  const text = (input: FormField & keyof FormState, testid: string, extra: Record<string, unknown> = {}) => (invalid: boolean) => (
    <input
      class={invalid ? "invalid" : ""}
      aria-invalid={invalid}
      data-testid={testid}
      value={form[input]}
      onInput={(e) => update(input, (e.currentTarget as HTMLInputElement).value)}
      autocapitalize="off"
      spellcheck={false}
      {...extra}
    />
  );

  return (
    <section class="panel deploy-form-panel" aria-busy={busy}>
      <h2>{t("formTitle")}</h2>
      <p class="muted">{t("formIntro")}</p>
      <form data-testid="deploy-form" onSubmit={submit} noValidate>
        <div class="form-grid">
          {field("kind", t("kind"), (invalid) => (
            <select class={invalid ? "invalid" : ""} data-testid="form-kind" value={form.kind} onChange={(e) => update("kind", (e.currentTarget as HTMLSelectElement).value)}>
              <option value="Deployment">Deployment</option>
              <option value="Pod">Pod</option>
            </select>
          ))}
          {field("name", t("name"), text("name", "form-name", { placeholder: "web", autocomplete: "off" }))}
        </div>
        {field("image", t("image"), text("image", "form-image", { list: "deploy-images", placeholder: "nginx:1.27" }), t("imageHint"))}
        <datalist id="deploy-images">{IMAGE_SUGGESTIONS.map((i) => <option key={i} value={i} />)}</datalist>
        {form.kind === "Deployment" && field("replicas", t("replicas"), text("replicas", "form-replicas", { type: "number", inputMode: "numeric", step: 1 }))}
        <fieldset class="resources">
          <legend>{t("resources")}</legend>
          <div class="form-grid">
            {field("cpuRequest", t("cpuRequest"), text("cpuRequest", "form-cpu-request", { placeholder: "100m" }))}
            {field("memoryRequest", t("memoryRequest"), text("memoryRequest", "form-memory-request", { placeholder: "128Mi" }))}
            {field("cpuLimit", t("cpuLimit"), text("cpuLimit", "form-cpu-limit", { placeholder: "500m" }))}
            {field("memoryLimit", t("memoryLimit"), text("memoryLimit", "form-memory-limit", { placeholder: "256Mi" }))}
          </div>
          <small class="muted">{t("resourcesHint")}</small>
        </fieldset>
        {field("labels", t("labels"), text("labels", "form-labels", { placeholder: `app=${form.name.trim() || "web"}` }), t("labelsHint", { name: form.name.trim() || "<name>" }))}
        {field("nodeSelector", t("nodeSelector"), text("nodeSelector", "form-node-selector", { placeholder: "disktype=ssd" }), t("nodeSelectorHint"))}
        {report && report.unmatched.length > 0 && (
          <div class="line-errors" role="alert">
            <strong>{t("otherErrors")}</strong>
            <ul>
              {report.unmatched.map((u, i) => <li key={i} class="field-error" data-testid="field-error" data-field={u.field}>{u.field && <><code>{u.field}</code>: </>}{u.message}</li>)}
            </ul>
          </div>
        )}
        <div class="row">
          <button class="primary" data-testid="form-submit" disabled={busy}>{busy ? t("applying") : t("create")}</button>
        </div>
      </form>
      {report && <Outcome report={report} />}
      <div class="row preview-head">
        <h3>{t("preview")}</h3>
        <button type="button" data-testid="edit-as-yaml" onClick={() => onEditAsYaml(preview)}>{t("editAsYaml")}</button>
      </div>
      <pre class="preview" data-testid="form-preview">{preview}</pre>
    </section>
  );
}

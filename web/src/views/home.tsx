// The home page: an instructor creates a classroom and gets two links, their own (secret) and
// the one to share with students.
import { useState } from "preact/hooks";
import { NODE_SIZES } from "../../../src/classroom/fleet/node-sizes";
import { ApiError, createClassroom, download, type CreateClassroomBody, type CreatedClassroom } from "../api";
import { setLang, useLang, useT, type Strings } from "../i18n";
import { navigate } from "../nav";

const S: Strings = {
  en: {
    tagline: "A live, shared Kubernetes cluster for your class. Students join from a browser or with real kubectl.",
    create: "Create a classroom", name: "Classroom name", nodes: "Nodes", size: "Node size", mixed: "Mixed sizes",
    where: "Where the cluster runs", cloud: "Cloud (LoadBalancer Services get an address)", onprem: "On premises (no cloud provider)",
    speed: "Simulation speed", creating: "Creating…", ready: "Your classroom is ready",
    instructorLink: "Your instructor link (keep it secret: it gives full control)", joinLink: "Share this link with your students",
    copy: "Copy", copied: "Copied", open: "Open the classroom", kubeconfig: "Download the instructor kubeconfig",
  },
  "pt-BR": {
    tagline: "Um cluster Kubernetes ao vivo e compartilhado para a sua turma. Os alunos entram pelo navegador ou com o kubectl de verdade.",
    create: "Criar uma sala", name: "Nome da sala", nodes: "Nós", size: "Tamanho dos nós", mixed: "Tamanhos variados",
    where: "Onde o cluster roda", cloud: "Nuvem (Services LoadBalancer recebem um endereço)", onprem: "On-premises (sem provedor de nuvem)",
    speed: "Velocidade da simulação", creating: "Criando…", ready: "Sua sala está pronta",
    instructorLink: "Seu link de instrutor (guarde em segredo: dá controle total)", joinLink: "Compartilhe este link com os alunos",
    copy: "Copiar", copied: "Copiado", open: "Abrir a sala", kubeconfig: "Baixar o kubeconfig do instrutor",
  },
};

export function LangSwitch() {
  const l = useLang();
  return (
    <select aria-label="Language / Idioma" value={l} onChange={(e) => setLang((e.target as HTMLSelectElement).value as never)} data-testid="lang">
      <option value="pt-BR">Português (BR)</option>
      <option value="en">English</option>
    </select>
  );
}

export function CopyField({ label, value, testid }: { label: string; value: string; testid: string }) {
  const t = useT(S);
  const [done, setDone] = useState(false);
  return (
    <label>
      <span>{label}</span>
      <div class="row">
        <input readOnly value={value} style={{ flex: 1, minWidth: "12rem" }} data-testid={testid} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" onClick={async () => { await navigator.clipboard?.writeText(value).catch(() => undefined); setDone(true); }}>{done ? t("copied") : t("copy")}</button>
      </div>
    </label>
  );
}

export function Home() {
  const t = useT(S);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [created, setCreated] = useState<CreatedClassroom | undefined>();
  const fieldError = (f: string) => error?.causes.find((c) => c.field === f)?.message;

  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const size = String(f.get("size")) as CreateClassroomBody["size"]; // one of the options below
      const c = await createClassroom({ name: String(f.get("name")), nodes: Number(f.get("nodes")), size, cloud: f.get("where") === "cloud", speed: Number(f.get("speed")) });
      // The console shows the join link again later; only this browser keeps it.
      localStorage.setItem(`kubeclass.${c.id}.joinUrl`, new URL(c.joinUrl, location.origin).href);
      setCreated(c);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="page">
      <div class="row" style={{ justifyContent: "space-between" }}>
        <h1>kubeclass</h1>
        <LangSwitch />
      </div>
      <p class="muted">{t("tagline")}</p>
      {!created ? (
        <form class="panel" onSubmit={submit} data-testid="create-form">
          <h2>{t("create")}</h2>
          <div class="grid2">
            <label><span>{t("name")}</span><input name="name" required maxLength={80} value="Kubernetes 101" class={fieldError("name") ? "invalid" : ""} />{fieldError("name") && <div class="field-error">{fieldError("name")}</div>}</label>
            <label><span>{t("nodes")}</span><input name="nodes" type="number" min={0} max={50} value={3} required /></label>
            <label><span>{t("size")}</span>
              <select name="size"><option value="mixed">{t("mixed")}</option>{NODE_SIZES.map((s) => <option key={s.instanceType}>{s.instanceType}</option>)}</select>
            </label>
            <label><span>{t("speed")}</span>
              <select name="speed"><option value="1">1×</option><option value="2">2×</option><option value="5">5×</option><option value="10">10×</option></select>
            </label>
          </div>
          <fieldset style={{ border: 0, padding: 0 }}>
            <legend class="muted">{t("where")}</legend>
            <label><input type="radio" name="where" value="cloud" checked /> {t("cloud")}</label>
            <label><input type="radio" name="where" value="onprem" /> {t("onprem")}</label>
          </fieldset>
          {error && !error.causes.length && <div class="error-box">{error.message}</div>}
          <button class="primary" disabled={busy} data-testid="create">{busy ? t("creating") : t("create")}</button>
        </form>
      ) : (
        <section class="panel" data-testid="created">
          <h2>{t("ready")}: {created.name}</h2>
          <CopyField label={t("joinLink")} value={new URL(created.joinUrl, location.origin).href} testid="join-url" />
          <CopyField label={t("instructorLink")} value={new URL(created.instructorUrl, location.origin).href} testid="instructor-url" />
          <div class="row">
            <button class="primary" onClick={() => navigate(created.instructorUrl)} data-testid="open-classroom">{t("open")}</button>
            <button onClick={() => download(`kubeconfig-${created.id.slice(0, 8)}.yaml`, created.kubeconfig)}>{t("kubeconfig")}</button>
          </div>
        </section>
      )}
    </main>
  );
}

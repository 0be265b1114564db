// The join page: a student picks a display name and gets a namespace of their own. A browser
// that already joined goes straight back in as the same student.
import { useEffect, useState } from "preact/hooks";
import { ApiError, joinClassroom } from "../api";
import { useT, type Strings } from "../i18n";
import { navigate } from "../nav";
import { fragmentParam, saveStudent, whoAmI } from "../session";
import { LangSwitch } from "./home";

const S: Strings = {
  en: { title: "Join the classroom", name: "Your name (lowercase letters, digits and -)", join: "Join", joining: "Joining…", badLink: "This join link is incomplete: ask your instructor for it again.", hint: "You get a namespace of your own, student-<name>, and a kubeconfig for real kubectl." },
  "pt-BR": { title: "Entrar na sala", name: "Seu nome (letras minúsculas, dígitos e -)", join: "Entrar", joining: "Entrando…", badLink: "Este link de convite está incompleto: peça de novo ao instrutor.", hint: "Você recebe um namespace só seu, student-<nome>, e um kubeconfig para o kubectl de verdade." },
};

export function Join({ id }: { id: string }) {
  const t = useT(S);
  const token = fragmentParam("join");
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (whoAmI(id)?.role === "student") navigate(`/classroom/${id}`);
  }, [id]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!token) return;
    const name = String(new FormData(e.target as HTMLFormElement).get("name")).trim();
    setBusy(true);
    setError(undefined);
    try {
      saveStudent(id, await joinClassroom(id, token, name));
      navigate(`/classroom/${id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }

  const nameError = error?.causes.find((c) => c.field === "name")?.message ?? (error?.status === 409 ? error.message : undefined);
  return (
    <main class="page">
      <div class="row" style={{ justifyContent: "space-between" }}><h1>kubeclass</h1><LangSwitch /></div>
      <form class="panel" onSubmit={submit} data-testid="join-form">
        <h2>{t("title")}</h2>
        {!token && <div class="error-box">{t("badLink")}</div>}
        <label><span>{t("name")}</span>
          <input name="name" required maxLength={30} autoComplete="nickname" class={nameError ? "invalid" : ""} data-testid="join-name" />
          {nameError && <div class="field-error" data-testid="join-error">{nameError}</div>}
        </label>
        {error && !nameError && <div class="error-box">{error.message}</div>}
        <p class="muted">{t("hint")}</p>
        <button class="primary" disabled={busy || !token} data-testid="join">{busy ? t("joining") : t("join")}</button>
      </form>
    </main>
  );
}

// The instructor console, who may come in: the join link (and a new one, which stops the old at
// once), a cap on the number of students, and removing a student (their credential stops, their
// namespace is deleted, their pages close).
import { useEffect, useState } from "preact/hooks";
import { json } from "../../api";
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";
import { Result, useActions } from "./action";
import { CopyField } from "../home";

const S: Strings = {
  en: {
    joinLink: "Join link for students", rotate: "New join link", rotated: "New join link: the old one no longer works",
    confirmRotate: "Make a new join link? The current one stops working at once; students already in stay.",
    cap: "At most", capHint: "students (empty: no limit)", apply: "Apply", capSaved: "Limit: {max} ({n} in now)", noCap: "no limit",
    remove: "Remove", confirmRemove: "Remove {name}? Their credential stops working and their namespace student-{name} is deleted with everything in it.", removed: "{name} removed",
  },
  "pt-BR": {
    joinLink: "Link de convite para os alunos", rotate: "Novo link de convite", rotated: "Novo link de convite: o anterior não funciona mais",
    confirmRotate: "Criar um novo link de convite? O atual para de funcionar na hora; quem já entrou continua.",
    cap: "No máximo", capHint: "alunos (vazio: sem limite)", apply: "Aplicar", capSaved: "Limite: {max} ({n} dentro agora)", noCap: "sem limite",
    remove: "Remover", confirmRemove: "Remover {name}? A credencial dele para de funcionar e o namespace student-{name} é apagado com tudo o que tem.", removed: "{name} removido",
  },
};

const joinUrlKey = (id: string) => `kubeclass.${id}.joinUrl`;

/** The join link, a new one on demand, and the cap on students. */
export function StudentAccess() {
  const t = useT(S);
  const { api, id } = useClassroom();
  const a = useActions();
  const [joinUrl, setJoinUrl] = useState(() => globalThis.localStorage?.getItem(joinUrlKey(id)) ?? "");
  const [max, setMax] = useState<number | null>(null);
  useEffect(() => {
    json(api.kc.students.$get({ param: api.id })).then((r) => setMax(r.max), () => undefined);
  }, [api]);

  async function rotate(): Promise<string> {
    if (!confirm(t("confirmRotate"))) return "";
    const r = await json(api.kc["join-token"].rotate.$post({ param: api.id }));
    globalThis.localStorage?.setItem(joinUrlKey(id), r.joinUrl);
    setJoinUrl(r.joinUrl);
    return t("rotated");
  }

  async function saveCap(e: Event): Promise<string> {
    const v = String(new FormData(e.target as HTMLFormElement).get("max") ?? "").trim();
    const r = await json(api.kc.students.limit.$put({ param: api.id, json: { max: v === "" ? null : Number(v) } }));
    setMax(r.max);
    return t("capSaved", { max: r.max ?? t("noCap"), n: r.students });
  }

  return (
    <div data-testid="student-access">
      <div class="row">
        {joinUrl && <CopyField label={t("joinLink")} value={joinUrl} testid="console-join-url" />}
        <button type="button" disabled={a.anyBusy} data-testid="rotate-join" onClick={() => a.run("rotate", rotate)}>{a.busy("rotate") ? "…" : t("rotate")}</button>
      </div>
      <Result r={a.message("rotate")} testid="rotate-result" />
      <form key={String(max)} class="row" data-testid="cap-form" noValidate onSubmit={(e) => { e.preventDefault(); void a.run("cap", () => saveCap(e)); }}>
        <label>
          <span>{t("cap")}</span> <input name="max" type="number" min="0" max="500" defaultValue={max?.toString() ?? ""} style={{ width: "6rem" }} data-testid="cap-max" /> <span class="muted small">{t("capHint")}</span>
        </label>
        <button class="primary" disabled={a.anyBusy} data-testid="cap-apply">{a.busy("cap") ? "…" : t("apply")}</button>
      </form>
      <Result r={a.message("cap")} testid="cap-result" />
    </div>
  );
}

/** A student row's Remove button. */
export function RemoveStudent({ name }: { name: string }) {
  const t = useT(S);
  const { api } = useClassroom();
  const a = useActions();
  return (
    <>
      <button type="button" class="danger" disabled={a.anyBusy} data-testid={`remove-student-${name}`} onClick={() => a.run("remove", async () => {
        if (!confirm(t("confirmRemove", { name }))) return "";
        await json(api.kc.students[":name"].$delete({ param: { ...api.id, name: encodeURIComponent(name) } }));
        return t("removed", { name });
      })}>{a.busy("remove") ? "…" : t("remove")}</button>
      <Result r={a.message("remove")} testid={`remove-result-${name}`} />
    </>
  );
}

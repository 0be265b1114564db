// The detail panel of the selected pod, kept current from the live cluster: its status, its
// containers, its events, its logs and why the scheduler put it where it is. Deleting someone
// else's pod is allowed to be tried: the API server's Forbidden is the lesson, shown as it came.
import { useRef, useState } from "preact/hooks";
import { ApiError } from "../../api";
import { useClassroom } from "../../context";
import { useT, type Strings } from "../../i18n";
import { age, ownerOf, podStatus, statusClass } from "../../k8s";
import type { LiveObject } from "../../live";
import { useObservable } from "../../observable";
import { personColor, useTick } from "../map-util";
import { PodLogs } from "./logs";
import { Conditions, Containers, PodEvents } from "./parts";
import { SchedulerExplain } from "./scheduler";
import "./detail.css";

const S: Strings = {
  en: {
    close: "Close", delete: "Delete pod", deleting: "Deleting…", status: "Status", phase: "Phase", node: "Node", ip: "Pod IP", qos: "QoS class",
    owner: "Student", created: "Created", ago: "{age} ago", controlledBy: "Controlled by", none: "—", notScheduled: "not scheduled yet",
    system: "system", gone: "This pod no longer exists: it was deleted. What you see is the last known state.",
    notFound: "This pod does not exist (any more).", notMine: "This pod belongs to {owner}. You may try, but the API server only lets you delete pods in your own namespace ({ns}).",
    deleted: "Deletion requested: the kubelet stops the containers, then the pod disappears. If a controller owns it, a replacement appears.",
    terminating: "Terminating since {age} ago", message: "Message",
  },
  "pt-BR": {
    close: "Fechar", delete: "Excluir Pod", deleting: "Excluindo…", status: "Status", phase: "Fase", node: "Nó", ip: "IP do Pod", qos: "Classe QoS",
    owner: "Aluno", created: "Criado", ago: "há {age}", controlledBy: "Controlado por", none: "—", notScheduled: "ainda sem nó",
    system: "sistema", gone: "Este Pod não existe mais: foi excluído. Você está vendo o último estado conhecido.",
    notFound: "Este Pod não existe (mais).", notMine: "Este Pod é de {owner}. Você pode tentar, mas o API server só deixa você excluir Pods do seu próprio namespace ({ns}).",
    deleted: "Exclusão pedida: o kubelet para os contêineres e então o Pod some. Se um controller for dono dele, aparece um substituto.",
    terminating: "Terminating há {age}", message: "Mensagem",
  },
};

export function PodDetail() {
  const t = useT(S);
  const ctx = useClassroom();
  const { live, me, api } = ctx;
  const sel = useObservable(ctx.selected);
  const cluster = useObservable(live.cluster);
  useTick(5000);
  const last = useRef<LiveObject | undefined>(undefined);
  const [delError, setDelError] = useState<string>();
  const [delOk, setDelOk] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!sel) return null;

  const current = cluster.objects.pods.get(`${sel.namespace}/${sel.name}`);
  if (current) last.current = current;
  else if (!last.current) {
    for (const g of cluster.gone.values()) if (g.pod.metadata.namespace === sel.namespace && g.pod.metadata.name === sel.name) last.current = g.pod;
  }
  const pod = current ?? last.current;
  const close = () => ctx.selected.set(undefined);

  const head = (
    <div class="pd-head">
      <div class="pd-title">
        <h2>{sel.name}</h2>
        <code class="muted">{sel.namespace}</code>
      </div>
      <button type="button" class="pd-close" onClick={close} data-testid="close-detail" aria-label={t("close")} title={t("close")}>✕</button>
    </div>
  );
  if (!pod) {
    return <div class="pod-detail" data-testid="pod-detail" data-gone="true">{head}<p class="ok-box pd-gone">{t("notFound")}</p></div>;
  }

  const now = live.simNow();
  const status = podStatus(pod);
  const owner = ownerOf(pod);
  const notMine = me.role === "student" && owner !== me.name;
  const ref = (pod.metadata.ownerReferences ?? []).find((r: { controller?: boolean }) => r.controller) ?? pod.metadata.ownerReferences?.[0];

  async function del() {
    setBusy(true);
    setDelError(undefined);
    setDelOk(false);
    try {
      await api.k8s("DELETE", `/api/v1/namespaces/${encodeURIComponent(sel!.namespace)}/pods/${encodeURIComponent(sel!.name)}`);
      setDelOk(true);
    } catch (e) {
      setDelError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="pod-detail" data-testid="pod-detail" data-gone={String(!current)} data-status={status}>
      {head}
      {!current && <p class="pd-gone" data-testid="pod-gone">{t("gone")}</p>}
      <div class="pd-actions">
        {current && (
          <button type="button" class={`danger ${notMine ? "not-mine" : ""}`} onClick={del} disabled={busy} data-testid="delete-pod"
            title={notMine ? t("notMine", { owner: owner ?? t("system"), ns: me.role === "student" ? me.namespace : "" }) : undefined}>
            {busy ? t("deleting") : t("delete")}
          </button>
        )}
      </div>
      {delError && <div class="error-box" role="alert" data-testid="detail-error">{delError}</div>}
      {delOk && current && <div class="ok-box">{t("deleted")}</div>}

      <section class="pd-section">
        <dl class="pd-dl pd-summary">
          <dt>{t("status")}</dt>
          <dd><span class={`badge ${statusClass(status)}`} data-testid="detail-status">{status}</span>
            {pod.metadata.deletionTimestamp && <span class="muted"> · {t("terminating", { age: age(pod.metadata.deletionTimestamp, now) })}</span>}</dd>
          <dt>{t("phase")}</dt><dd>{pod.status?.phase ?? "Pending"}</dd>
          <dt>{t("node")}</dt><dd data-testid="detail-node">{pod.spec?.nodeName ?? <span class="muted">{t("notScheduled")}</span>}</dd>
          <dt>{t("ip")}</dt><dd><code>{pod.status?.podIP ?? t("none")}</code></dd>
          <dt>{t("qos")}</dt><dd>{pod.status?.qosClass ?? t("none")}</dd>
          <dt>{t("owner")}</dt>
          <dd><span class="pd-who" style={{ background: personColor(owner) }}>{owner ?? t("system")}</span></dd>
          {ref && <><dt>{t("controlledBy")}</dt><dd>{ref.kind}/{ref.name}</dd></>}
          <dt>{t("created")}</dt>
          <dd title={pod.metadata.creationTimestamp}>{t("ago", { age: age(pod.metadata.creationTimestamp, now) })}</dd>
          {pod.status?.message && <><dt>{t("message")}</dt><dd>{pod.status.reason ? <strong>{pod.status.reason}: </strong> : null}{pod.status.message}</dd></>}
        </dl>
      </section>

      <Containers pod={pod} />
      <SchedulerExplain pod={pod} />
      <PodEvents pod={pod} />
      <Conditions pod={pod} />
      {current && <PodLogs namespace={sel.namespace} name={sel.name} containers={[...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c: { name: string }) => c.name)} />}
    </div>
  );
}

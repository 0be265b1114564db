// The architecture view: the control plane and the data plane drawn as the course notes draw them,
// each component showing what it is doing right now (polled from the classroom every 2 s while
// the view is open) and explaining itself when tapped.
import { useEffect, useState } from "preact/hooks";
import { useClassroom } from "../../context";
import { useT } from "../../i18n";
import { useObservable } from "../../observable";
import { ControlPlane } from "./control-plane";
import { DataPlane } from "./nodes";
import { S } from "./strings";
import "./architecture.css";

const POLL_MS = 2000;
const CP_PARTS = ["kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager", "cloud-controller-manager"];

export function Architecture() {
  const t = useT(S);
  const { live, selected } = useClassroom();
  const stats = useObservable(live.stats);
  const settings = useObservable(live.settings);
  const cluster = useObservable(live.cluster);
  const [open, setOpen] = useState<Set<string>>(() => new Set());

  // Stats are computed on request only, so they cost nothing while nobody looks at this view.
  useEffect(() => {
    live.requestStats();
    const timer = setInterval(() => live.requestStats(), POLL_MS);
    return () => clearInterval(timer);
  }, [live]);

  const toggle = (id: string) => setOpen((cur) => {
    const next = new Set(cur);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const machines = settings?.machines.map((m) => m.name) ?? [];
  const allIds = [...CP_PARTS, ...machines.flatMap((n) => [`kubelet-${n}`, `kube-proxy-${n}`, `container-runtime-${n}`])];
  const allOpen = allIds.every((id) => open.has(id));
  const simNow = live.simNow();

  return (
    <section class="arch" data-testid="architecture">
      <header class="arch-head">
        <div>
          <h2>{t("title")}</h2>
          <p class="muted">{t("intro")}</p>
        </div>
        <button onClick={() => setOpen(allOpen ? new Set() : new Set(allIds))} aria-pressed={allOpen} data-testid="explain-all">
          {allOpen ? t("hideAll") : t("explainAll")}
        </button>
      </header>
      {!stats && <p class="muted" data-testid="arch-waiting">{t("waiting")}</p>}

      <div class="plane cp-plane" data-testid="control-plane">
        <h3 class="plane-title">{t("cp")} <span class="plane-sub">{t("cpSub")}</span></h3>
        <ControlPlane t={t} stats={stats} settings={settings} services={cluster.objects.services.values()} simNow={simNow} open={open} toggle={toggle} />
      </div>

      <div class="via" role="note">{t("via")}</div>

      <div class="plane dp-plane" data-testid="data-plane">
        <h3 class="plane-title">{t("dp")} <span class="plane-sub">{t("dpSub")}</span></h3>
        <DataPlane t={t} stats={stats} settings={settings} nodes={cluster.objects.nodes} pods={cluster.objects.pods.values()} simNow={simNow} open={open} toggle={toggle}
          onPod={(namespace, name) => selected.set({ namespace, name })} />
      </div>
    </section>
  );
}

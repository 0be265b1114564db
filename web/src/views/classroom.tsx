// The live classroom page: one connection to the classroom, shared by every view; a header with
// who is here and the clock; tabs for the map, the architecture, deploying, events and (for the
// instructor) the console; the pod detail panel beside whatever is open.
import { useEffect, useMemo } from "preact/hooks";
import { Api, download } from "../api";
import { Ctx, newUiState, useClassroom, type ClassroomCtx, type Tab } from "../context";
import { useT, type Strings } from "../i18n";
import { Live } from "../live";
import { useObservable } from "../observable";
import { whoAmI } from "../session";
import { Architecture } from "./architecture/architecture";
import { InstructorConsole } from "./console/console";
import { Deploy } from "./deploy/deploy";
import { EventsFeed } from "./events";
import { LangSwitch } from "./home";
import { ClusterMap } from "./map/map";
import { PodDetail } from "./pod/detail";
import { Rounds } from "./rounds/rounds";
import "./classroom.css";

const S: Strings = {
  en: {
    map: "Cluster map", architecture: "Architecture", deploy: "Deploy", events: "Events", console: "Instructor console", rounds: "Rounds & outcomes", round: "Round {n}: {title}",
    live: "live", connecting: "connecting…", offline: "offline, reconnecting…", paused: "paused", here: "Here now", achieved: "{speed}× achieved", achievedHint: "The simulation cannot keep up with the speed asked for; simulated time runs at the speed it achieves, so the API stays fast.",
    you: "You", kubeconfig: "kubeconfig", notJoined: "You have not joined this classroom in this browser.", joinHint: "Open the join link your instructor shared.",
    locked: "The instructor has locked submissions: you can look around, but changes are refused until they unlock.",
    loading: "Loading the cluster…", instructor: "instructor",
  },
  "pt-BR": {
    map: "Mapa do cluster", architecture: "Arquitetura", deploy: "Implantar", events: "Eventos", console: "Console do instrutor", rounds: "Rodadas e resultados", round: "Rodada {n}: {title}",
    live: "ao vivo", connecting: "conectando…", offline: "sem conexão, reconectando…", paused: "pausado", here: "Presentes", achieved: "{speed}× alcançado", achievedHint: "A simulação não acompanha a velocidade pedida; o tempo simulado corre na velocidade que ela alcança, para a API continuar rápida.",
    you: "Você", kubeconfig: "kubeconfig", notJoined: "Você ainda não entrou nesta sala neste navegador.", joinHint: "Abra o link de convite que o instrutor compartilhou.",
    locked: "O instrutor bloqueou os envios: você pode olhar, mas as mudanças são recusadas até ele desbloquear.",
    loading: "Carregando o cluster…", instructor: "instrutor",
  },
};

export function Classroom({ id }: { id: string }) {
  const t = useT(S);
  const me = useMemo(() => whoAmI(id), [id]);
  const ctx = useMemo<ClassroomCtx | undefined>(() => me && { id, me, api: new Api(id, me.token), live: new Live(id, me.token), ...newUiState() }, [id, me]);
  useEffect(() => {
    if (!ctx) return;
    ctx.live.connect();
    // Tests and the curious can reach the page's state: window.kubeclass.live.drop() simulates a network drop.
    (globalThis as Record<string, unknown>).kubeclass = ctx;
    return () => ctx.live.close();
  }, [ctx]);
  if (!ctx) return <main class="page"><div class="panel"><h2>{t("notJoined")}</h2><p>{t("joinHint")}</p></div></main>;
  return <Ctx.Provider value={ctx}><Shell /></Ctx.Provider>;
}

function Clock() {
  const t = useT(S);
  const { live } = useClassroom();
  const settings = useObservable(live.settings);
  useObservable(live.cluster); // re-render as the cluster changes, which is often enough for a clock
  if (!settings) return null;
  const now = new Date(live.simNow());
  // Shown only when the simulation falls clearly behind the speed asked for.
  const achieved = settings.clock.achievedSpeed ?? settings.clock.speed;
  const behind = !settings.clock.paused && achieved < settings.clock.speed * 0.9;
  return (
    <span class="clock" data-testid="clock" title="simulated time">
      {now.toISOString().slice(11, 19)} · {settings.clock.paused ? t("paused") : `${settings.clock.speed}×`}
      {behind && <span class="behind" title={t("achievedHint")} data-testid="achieved-speed"> ({t("achieved", { speed: achieved })})</span>}
    </span>
  );
}

function Presence() {
  const t = useT(S);
  const { live } = useClassroom();
  const people = useObservable(live.people);
  return (
    <div class="presence" data-testid="presence" aria-label={t("here")}>
      <span class="muted">{t("here")}:</span>
      {people.map((p) => (
        <span key={`${p.role}/${p.name}`} class={`person ${p.role}`} title={p.namespace ?? t("instructor")} data-testid={`person-${p.name}`}>
          {p.role === "instructor" ? `★ ${t("instructor")}` : p.name}{p.connections > 1 ? ` ×${p.connections}` : ""}
        </span>
      ))}
    </div>
  );
}

function Shell() {
  const t = useT(S);
  const ctx = useClassroom();
  const { live, me } = ctx;
  const state = useObservable(live.state);
  const loaded = useObservable(live.loaded);
  const settings = useObservable(live.settings);
  const tab = useObservable(ctx.tab);
  const selected = useObservable(ctx.selected);
  const tabs: Tab[] = me.role === "instructor" ? ["map", "architecture", "deploy", "events", "console", "rounds"] : ["map", "architecture", "deploy", "events"];
  return (
    <div class="classroom">
      <header class="topbar">
        <strong class="title" data-testid="classroom-name">{settings?.name ?? "kubeclass"}</strong>
        <span class={`conn ${state}`} data-testid="conn" data-state={state}>● {t(state)}</span>
        <Clock />
        <Presence />
        <span class="me" data-testid="me">
          {t("you")}: <strong>{me.role === "instructor" ? `★ ${t("instructor")}` : me.name}</strong>
          {me.role === "student" && <> · <code>{me.namespace}</code> · <button class="link" onClick={() => download(`kubeconfig-${me.name}.yaml`, me.kubeconfig)} data-testid="kubeconfig">{t("kubeconfig")}</button></>}
        </span>
        <LangSwitch />
      </header>
      {settings?.locked && <div class="locked-banner" data-testid="locked-banner">{t("locked")}</div>}
      {settings?.round && (
        <div class="round-banner" data-testid="round-banner">
          ▶ {t("round", { n: settings.round.n, title: settings.round.title })}{settings.round.goal ? ` — ${settings.round.goal}` : ""}
        </div>
      )}
      <nav class="tabs" role="tablist">
        {tabs.map((k) => (
          <button key={k} role="tab" aria-selected={tab === k} class={tab === k ? "active" : ""} onClick={() => ctx.tab.set(k)} data-testid={`tab-${k}`}>{t(k)}</button>
        ))}
      </nav>
      <div class={`workspace ${selected ? "with-detail" : ""}`}>
        <main class="view">
          {!loaded ? <p class="muted">{t("loading")}</p> : tab === "map" ? <ClusterMap /> : tab === "architecture" ? <Architecture /> : tab === "deploy" ? <Deploy /> : tab === "events" ? <EventsFeed /> : tab === "rounds" ? <Rounds /> : <InstructorConsole />}
        </main>
        {selected && loaded && <aside class="detail"><PodDetail key={`${selected.namespace}/${selected.name}`} /></aside>}
      </div>
    </div>
  );
}

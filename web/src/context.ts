// What every view of a classroom page shares: who I am, the API, the live cluster, and a little
// page state (the selected pod, what to highlight, the open tab).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api";
import type { Live } from "./live";
import { Observable } from "./observable";
import type { Me } from "./session";

export type Tab = "map" | "architecture" | "deploy" | "events" | "console" | "rounds";

export interface ClassroomCtx {
  id: string;
  api: Api;
  live: Live;
  me: Me;
  /** The pod whose detail panel is open. */
  selected: Observable<{ namespace: string; name: string } | undefined>;
  /** Objects just created from this page ("namespace/name" of pods or their owners), shown highlighted on the map. */
  highlight: Observable<Set<string>>;
  tab: Observable<Tab>;
}

export function newUiState(): Pick<ClassroomCtx, "selected" | "highlight" | "tab"> {
  return { selected: new Observable<{ namespace: string; name: string } | undefined>(undefined), highlight: new Observable(new Set<string>()), tab: new Observable<Tab>("map") };
}

export const Ctx = createContext<ClassroomCtx | null>(null);

export function useClassroom(): ClassroomCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useClassroom outside a classroom page");
  return c;
}

// Two languages, Brazilian Portuguese and English: picked from the browser, switchable, remembered.
// Each view keeps its own strings next to its code (a Strings table), so views stay independent.
import { useEffect, useState } from "preact/hooks";

export type Lang = "en" | "pt-BR";
export type Dict = Record<string, string>;
export type Strings = { en: Dict; "pt-BR": Dict };

const KEY = "kubeclass.lang";
const listeners = new Set<(l: Lang) => void>();

export function pickLang(): Lang {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved === "en" || saved === "pt-BR") return saved;
  const langs = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  return langs.some((l) => l.toLowerCase().startsWith("pt")) ? "pt-BR" : "en";
}

let current: Lang = pickLang();

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  globalThis.localStorage?.setItem(KEY, l);
  document.documentElement.lang = l;
  for (const fn of listeners) fn(l);
}

export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return l;
}

/** Translates `key` from `strings`, filling {name} placeholders; English, then the key, as fallbacks. */
export function translate(strings: Strings, l: Lang, key: string, vars?: Record<string, string | number>): string {
  let s = strings[l][key] ?? strings.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

export function useT(strings: Strings): (key: string, vars?: Record<string, string | number>) => string {
  const l = useLang();
  return (key, vars) => translate(strings, l, key, vars);
}

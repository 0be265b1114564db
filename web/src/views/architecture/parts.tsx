// The building blocks of the architecture drawing: a component box that pulses when its numbers
// change and opens its explanation when tapped, a labelled number, and the lines between boxes.
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";

/**
 * A CSS class that changes whenever `signature` changes: alternating between two identical
 * animations restarts the pulse on every change without timers. Empty on first render, so
 * opening the view does not flash everything at once.
 */
export function usePulse(signature: string): string {
  const ref = useRef<{ sig: string; n: number } | null>(null);
  if (ref.current === null) ref.current = { sig: signature, n: 0 };
  else if (ref.current.sig !== signature) ref.current = { sig: signature, n: ref.current.n + 1 };
  return ref.current.n === 0 ? "" : ref.current.n % 2 ? "pulse-a" : "pulse-b";
}

export interface PartProps {
  /** Test id suffix and DOM id: "kube-apiserver", "kubelet-node-1", … */
  id: string;
  title: string;
  plane: "cp" | "dp";
  /** Changes whenever the numbers shown change. */
  signature: string;
  open: boolean;
  onToggle: (id: string) => void;
  explanation: string;
  /** Greyed out: not running at all (cloud-controller-manager on premises, a stopped machine). */
  dim?: boolean;
  badge?: ComponentChildren;
  children?: ComponentChildren;
}

export function Part(p: PartProps) {
  const pulse = usePulse(p.signature);
  const toggle = () => p.onToggle(p.id);
  return (
    <div
      class={`part ${p.plane} ${p.dim ? "dim" : ""} ${p.open ? "open" : ""} ${pulse}`}
      data-testid={`component-${p.id}`}
      role="button"
      tabIndex={0}
      aria-expanded={p.open}
      aria-controls={`explain-${p.id}`}
      onClick={toggle}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
      }}
    >
      <div class="part-head">
        <strong class="part-title">{p.title}</strong>
        {p.badge}
        <span class="chev" aria-hidden="true">{p.open ? "▾" : "▸"}</span>
      </div>
      {p.children && <div class="part-body">{p.children}</div>}
      {p.open && <p class="explain" id={`explain-${p.id}`} data-testid={`explain-${p.id}`}>{p.explanation}</p>}
    </div>
  );
}

/** One number with its label, big enough to read from the back of the room. */
export function Num({ value, label, tone }: { value: string | number; label: string; tone?: "ok" | "wait" | "bad" }) {
  return (
    <div class={`num ${tone ?? ""}`}>
      <b>{value}</b>
      <span>{label}</span>
    </div>
  );
}

/**
 * A line between boxes. Vertical lines join a box to kube-apiserver above or below it; `to`
 * names the other end, shown only where the boxes stack (phones) and the line alone is ambiguous.
 */
export function Link({ label, dir = "v", state = "ok", to, testid, cls = "" }: { label: string; dir?: "v" | "h"; state?: "ok" | "cut" | "off"; to?: string; testid?: string; cls?: string }) {
  return (
    <div class={`link ${dir} ${state} ${cls}`} data-testid={testid}>
      <span class="line" aria-hidden="true" />
      <span class="lbl">{to && <span class="to">⇅ {to} · </span>}{label}</span>
    </div>
  );
}

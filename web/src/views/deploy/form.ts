// The simple form's logic: its inputs → a Pod or Deployment manifest, and the API server's field
// paths → the input they are about, so a 422's causes show at the right input.
// Pure functions (no DOM), so they can be unit-tested.
import { parseFieldPath } from "./yaml";

export type FormKind = "Deployment" | "Pod";
export type FormField = "kind" | "name" | "image" | "replicas" | "cpuRequest" | "memoryRequest" | "cpuLimit" | "memoryLimit" | "labels" | "nodeSelector";

export interface FormState {
  kind: FormKind;
  name: string;
  image: string;
  replicas: string;
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  /** "key=value, key=value"; blank means app=<name>. */
  labels: string;
  nodeSelector: string;
}

export const IMAGE_SUGGESTIONS = ["nginx", "nginx:1.27", "busybox", "registry.k8s.io/pause:3.10", "httpd", "redis"];

export function initialForm(): FormState {
  return { kind: "Deployment", name: "web", image: "nginx", replicas: "2", cpuRequest: "100m", memoryRequest: "64Mi", cpuLimit: "", memoryLimit: "", labels: "", nodeSelector: "" };
}

/** "a=1, b=2" → {a:"1", b:"2"}; entries without "=" come back in `bad` (the server can't see them). */
export function parseKeyValues(text: string): { map: Record<string, string>; bad: string[] } {
  const map: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (!item) continue;
    const i = item.indexOf("=");
    if (i < 0) bad.push(item);
    else map[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return { map, bad };
}

/** The labels the object and its pods get: what the student typed, or app=<name>. */
export function effectiveLabels(form: FormState): Record<string, string> {
  if (!form.labels.trim()) return { app: form.name.trim() };
  return parseKeyValues(form.labels).map;
}

/** The container's name, as `kubectl create deployment` picks it: the image's last path segment, without tag or digest. */
export function containerNameFor(image: string, fallback: string): string {
  const last = image.trim().split("@")[0].split("/").pop() ?? "";
  const base = last.split(":")[0].toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  return base || fallback.trim() || "app";
}

/** Inputs whose text cannot become a manifest (key=value lists without "="). */
export function localProblems(form: FormState): { field: FormField; bad: string[] }[] {
  const out: { field: FormField; bad: string[] }[] = [];
  const labels = parseKeyValues(form.labels).bad;
  if (labels.length) out.push({ field: "labels", bad: labels });
  const sel = parseKeyValues(form.nodeSelector).bad;
  if (sel.length) out.push({ field: "nodeSelector", bad: sel });
  return out;
}

function quantities(cpu: string, memory: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (cpu.trim()) out.cpu = cpu.trim();
  if (memory.trim()) out.memory = memory.trim();
  return Object.keys(out).length ? out : undefined;
}

/**
 * The manifest the form stands for. Empty inputs are left out rather than guessed, so the API
 * server answers with its own message ("metadata.name: Required value…").
 */
export function buildManifest(form: FormState): Record<string, unknown> {
  const name = form.name.trim();
  const image = form.image.trim();
  const labels = effectiveLabels(form);
  const container: Record<string, unknown> = { name: containerNameFor(image, name) };
  if (image) container.image = image;
  const requests = quantities(form.cpuRequest, form.memoryRequest);
  const limits = quantities(form.cpuLimit, form.memoryLimit);
  if (requests || limits) container.resources = { ...(requests && { requests }), ...(limits && { limits }) };
  const podSpec: Record<string, unknown> = { containers: [container] };
  const nodeSelector = parseKeyValues(form.nodeSelector).map;
  if (Object.keys(nodeSelector).length) podSpec.nodeSelector = nodeSelector;
  // Separate copies of the labels, so the manifest is a tree (YAML would otherwise write anchors).
  const metadata: Record<string, unknown> = { ...(name && { name }), labels: { ...labels } };
  if (form.kind === "Pod") return { apiVersion: "v1", kind: "Pod", metadata, spec: podSpec };
  const spec: Record<string, unknown> = {};
  const r = form.replicas.trim();
  if (/^[+-]?\d+$/.test(r)) spec.replicas = Number(r);
  else if (r) spec.replicas = r; // not a number: let the server say so
  spec.selector = { matchLabels: { ...labels } };
  spec.template = { metadata: { labels: { ...labels } }, spec: podSpec };
  return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec };
}

/**
 * The input an API field path is about, or undefined (then it is listed below the form).
 * `spec.template.spec.containers[0].resources.requests[cpu]` → "cpuRequest"; a bare
 * `…resources.requests` (a request above its limit) is told apart by the message's resource.
 */
export function formFieldFor(field: string, message: string, kind: FormKind): FormField | undefined {
  const p = parseFieldPath(field).map(String);
  const at = (i: number, ...want: string[]) => want.every((w, j) => p[i + j] === w);
  if (at(0, "metadata", "name") || at(0, "metadata", "generateName")) return "name";
  if (at(0, "metadata", "labels") || at(0, "spec", "selector") || at(0, "spec", "template", "metadata", "labels")) return "labels";
  if (at(0, "kind") || at(0, "apiVersion")) return "kind";
  if (kind === "Deployment" && at(0, "spec", "replicas")) return "replicas";
  const podAt = kind === "Pod" ? 1 : at(0, "spec", "template", "spec") ? 3 : -1;
  if (podAt < 0 || p[podAt - 1] !== "spec") return undefined;
  if (p[podAt] === "nodeSelector") return "nodeSelector";
  if (p[podAt] !== "containers" || p[podAt + 1] !== "0") return undefined;
  const rest = p.slice(podAt + 2);
  if (rest[0] === "image" || rest[0] === "name") return "image"; // the container's name comes from the image
  if (rest[0] !== "resources") return undefined;
  const which = rest[1] === "limits" ? "Limit" : rest[1] === "requests" ? "Request" : undefined;
  if (!which) return undefined;
  const res = rest[2] ?? (/\bmemory\b/.test(message) ? "memory" : "cpu");
  if (res === "cpu") return `cpu${which}` as FormField;
  if (res === "memory") return `memory${which}` as FormField;
  return undefined;
}

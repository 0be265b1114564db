// How deeply a request body may nest. Go's encoding/json refuses more than 10,000 levels of
// objects and arrays ("invalid character '{' exceeded max depth", scanner.go maxNestingDepth) and
// go-yaml more than 10,000 ("exceeded max depth of 10000"); kube-apiserver decodes every body with
// them. Our own code (structuredClone, the patch mergers, managed fields, JSON.stringify) recurses
// per level and overflows workerd's stack between 2,000 and 3,000 levels, so the bound here is
// lower: MAX_BODY_DEPTH, with upstream's texts. Bodies are checked when decoded, patch results
// after they are applied (patched objects may carry a few more levels: managedFields' fieldsV1
// mirrors the fields it tracks four levels down).

export const MAX_BODY_DEPTH = 500;
export const MAX_OBJECT_DEPTH = MAX_BODY_DEPTH + 8;

/** A body or patched object nested deeper than its bound; `char` is Go's scanner's offending byte. */
export class DepthError extends Error {
  constructor(readonly char: "{" | "[", readonly doc?: unknown) {
    super(`invalid character '${char}' exceeded max depth`);
  }
}

/**
 * Go's scanner over JSON text: the first `{` or `[` that opens level max+1, or undefined. Linear,
 * no recursion, and run before JSON.parse so a 3 MiB `[[[[…` never becomes a value.
 */
export function jsonTextTooDeep(text: string, max = MAX_BODY_DEPTH): "{" | "[" | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return c === 123 ? "{" : "[";
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

/** The same bound over a value already parsed (YAML, patch results): iterative, depth-first. */
export function valueTooDeep(value: unknown, max: number): "{" | "[" | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) return Array.isArray(v) ? "[" : "{";
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === "object") stack.push([x, d + 1]);
  }
  return undefined;
}

/** Levels of objects and arrays in a value (0 for a scalar), without recursion. */
export function depthOf(value: unknown): number {
  let most = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > most) most = d;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === "object") stack.push([x, d + 1]);
  }
  return most;
}

/** apiserver handlers' summarizeData(body, 30): the start of a JSON body as text, of others in hex. */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.byteLength === 0) return "<empty>";
  const head = data.subarray(0, maxLength);
  const more = data.byteLength > maxLength ? " ..." : "";
  if (data[0] === 0x7b) return new TextDecoder().decode(head) + more;
  return [...head].map((b) => b.toString(16).padStart(2, "0")).join("") + more;
}

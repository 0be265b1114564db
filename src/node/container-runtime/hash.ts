// Deterministic hashing and pseudo-randomness. The simulation must replay identically from its JSON
// state, so nothing here touches Math.random() or the clock: every "random" draw comes from a seed.

/** FNV-1a over a string, 32 bits. Stable across runs and platforms. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** 64 lowercase hex digits derived from a string: stands in for sha256 digests and container ids. */
export function hex64(s: string): string {
  let out = "";
  // Each chunk hashes the input with its index at the end, then re-hashes (avalanche across chunks).
  for (let i = 0; out.length < 64; i++) out += fnv1a(`${fnv1a(`${s}#${i}`)}|${s.length}|${i}`).toString(16).padStart(8, "0");
  return out.slice(0, 64);
}

/** A uuid-shaped string derived from a string (machineID/systemUUID/bootID). */
export function uuidFrom(s: string): string {
  const h = hex64(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** mulberry32 step: returns the next seed and a float in [0, 1). The caller stores the seed. */
export function nextRandom(seed: number): { seed: number; value: number } {
  const s = (seed + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return { seed: s, value };
}

/** A float in [0,1) fixed by a key (no state): for values that must not depend on call order. */
export function keyedRandom(key: string): number {
  return fnv1a(key) / 4294967296;
}

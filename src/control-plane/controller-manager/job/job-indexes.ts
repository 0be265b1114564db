// The completed indexes of an Indexed Job as the Job controller holds them
// (pkg/controller/job/indexed_job_utils.go, v1.32: orderedIntervals, parseIndexesFromString):
// ordered, disjoint intervals, never one entry per index, and only indexes below completions.
// status.completedIndexes is written by whoever may write jobs/status; "0-99999999999" must cost
// one interval, not a hundred billion entries.

export interface Interval { first: number; last: number }
/** Sorted by first, disjoint and not adjacent (adjacent ones are merged). */
export type Intervals = Interval[];

/** strconv.Atoi's accepted syntax; values past int64 are refused too, as Atoi does. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > 0x7fffffffffffffffn || n < -0x8000000000000000n ? undefined : Number(n);
}

/**
 * parseIndexesFromString: corrupt intervals are skipped, parsing stops at the first index at or
 * past completions and a last index past it is cut to completions-1. Upstream trusts the order;
 * here out-of-order input is sorted and merged, so the intervals stay well formed whatever was written.
 */
export function parseIndexesFromString(s: unknown, completions: number): Intervals {
  if (typeof s !== "string" || s === "" || !(completions > 0)) return [];
  const raw: Interval[] = [];
  for (const part of s.split(",")) {
    const limits = part.split("-");
    const first = atoi(limits[0]);
    if (first === undefined || first < 0) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const l = atoi(limits[1]);
      if (l === undefined) continue;
      last = Math.min(l, completions - 1);
    }
    if (last >= first) raw.push({ first, last });
  }
  return normalise(raw);
}

function normalise(xs: Interval[]): Intervals {
  const sorted = [...xs].sort((a, b) => a.first - b.first);
  const out: Intervals = [];
  for (const x of sorted) {
    const prev = out[out.length - 1];
    if (prev && x.first <= prev.last + 1) prev.last = Math.max(prev.last, x.last);
    else out.push({ ...x });
  }
  return out;
}

/** withOrderedIndexes: the intervals with these indexes added. */
export function withIndexes(iv: Intervals, indexes: number[]): Intervals {
  if (indexes.length === 0) return iv;
  return normalise([...iv, ...indexes.map((i) => ({ first: i, last: i }))]);
}

/** total(): how many indexes the intervals hold. */
export const totalIndexes = (iv: Intervals): number => iv.reduce((n, x) => n + x.last - x.first + 1, 0);

/** has(): binary search, as upstream's. */
export function hasIndex(iv: Intervals, ix: number): boolean {
  let lo = 0, hi = iv.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ix < iv[mid].first) hi = mid - 1;
    else if (ix > iv[mid].last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The smallest index at or after `from` that the intervals do not hold. */
export function nextMissing(iv: Intervals, from: number): number {
  let ix = from;
  for (const x of iv) {
    if (x.last < ix) continue;
    if (x.first > ix) break;
    ix = x.last + 1;
  }
  return ix;
}

/** String(): "1,3-5,7": three or more consecutive indexes become a range, two stay a pair. */
export function formatIntervals(iv: Intervals): string {
  return iv.map((x) => (x.last === x.first ? `${x.first}` : x.last === x.first + 1 ? `${x.first},${x.last}` : `${x.first}-${x.last}`)).join(",");
}

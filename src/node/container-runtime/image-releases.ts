// Which tags the well-known repositories have, by rule rather than by list, so that any real tag a
// course uses (nginx:1.28.0, redis:8-alpine, python:3.14-slim-bookworm) pulls and one that cannot
// exist (nginx:1.99, nginx:latestt) fails as on Docker Hub.
//
// The rule: a repository publishes release lines, each known by its newest version (nginx 1.29.1,
// postgres 17.6). A tag is a version of 1 to N parts (N the depth of the line's version), optionally
// with a "-variant" the repository builds: "1" and "1.29" name the newest of their line, "1.29.0"
// exists when 0 <= its last part <= the line's newest, and a named tag (latest, stable, lts,
// bookworm) stands for one version. Release data as of September 2025; a newer line is one entry.
import { hex64 } from "./hash";

export interface ReleaseRule {
  /** The newest version of each release line, e.g. "1.29.1" (nginx) or "17.6" (postgres). */
  lines: string[];
  /** A leading "v" in tags (registry.k8s.io/kube-proxy:v1.33.4). */
  vPrefix?: boolean;
  /** Variant suffixes after "-" and their compressed size relative to the default build. */
  variants: Record<string, number>;
  /** Named tags: name → version (a variant may follow the name: stable-alpine). */
  names: Record<string, string>;
  /** Compressed size of the default build, in bytes (linux/amd64, rounded). */
  size: number;
}

const DEBIAN = { bookworm: 1, trixie: 1.02, bullseye: 0.97 };

export const RELEASES: Record<string, ReleaseRule> = {
  "docker.io/library/nginx": {
    lines: ["1.29.1", "1.28.0", "1.27.5", "1.26.3", "1.25.5", "1.24.0", "1.23.4", "1.22.1", "1.21.6", "1.20.2", "1.19.10", "1.18.0", "1.17.10", "1.16.1", "1.15.12", "1.14.2", "1.13.12", "1.12.2", "1.11.13", "1.10.3", "1.9.15", "1.8.1", "1.7.12"],
    variants: { alpine: 0.29, "alpine-slim": 0.08, "alpine-perl": 0.42, "alpine-otel": 0.45, perl: 1.12, otel: 1.15, ...DEBIAN, "bookworm-perl": 1.12, "bookworm-otel": 1.15 },
    names: { latest: "1.29.1", mainline: "1.29.1", stable: "1.28.0" },
    size: 72_000_000,
  },
  "docker.io/library/httpd": {
    lines: ["2.4.65", "2.2.34"],
    variants: { alpine: 0.39, ...DEBIAN },
    names: { latest: "2.4.65" },
    size: 58_000_000,
  },
  "docker.io/library/redis": {
    lines: ["8.2.1", "8.0.3", "7.4.5", "7.2.10", "7.0.15", "6.2.19", "6.0.20", "5.0.14", "4.0.14", "3.2.12"],
    variants: { alpine: 0.38, ...DEBIAN },
    names: { latest: "8.2.1" },
    size: 46_000_000,
  },
  "docker.io/library/postgres": {
    lines: ["18.0", "17.6", "16.10", "15.14", "14.19", "13.22", "12.22", "11.22", "10.23", "9.6.24"],
    variants: { alpine: 0.66, ...DEBIAN },
    names: { latest: "18.0" },
    size: 158_000_000,
  },
  "docker.io/library/mysql": {
    lines: ["9.4.0", "8.4.6", "8.0.43", "5.7.44"],
    variants: { oracle: 1, debian: 0.98, "oraclelinux9": 1 },
    names: { latest: "9.4.0", lts: "8.4.6", innovation: "9.4.0" },
    size: 172_000_000,
  },
  "docker.io/library/memcached": {
    lines: ["1.6.39", "1.5.22", "1.4.39"],
    variants: { alpine: 0.17, ...DEBIAN },
    names: { latest: "1.6.39" },
    size: 32_000_000,
  },
  "docker.io/library/busybox": {
    lines: ["1.37.0", "1.36.1", "1.35.0", "1.34.1", "1.33.1", "1.32.1", "1.31.1", "1.30.1", "1.29.3", "1.28.4", "1.27.2", "1.26.2", "1.25.1", "1.24.2"],
    variants: { musl: 1.01, glibc: 1.9, uclibc: 1, stable: 1 },
    names: { latest: "1.37.0", stable: "1.37.0", unstable: "1.37.0" },
    size: 2_170_000,
  },
  "docker.io/library/alpine": {
    lines: ["3.22.1", "3.21.4", "3.20.7", "3.19.8", "3.18.12", "3.17.10", "3.16.9", "3.15.11", "3.14.10", "3.13.12", "3.12.12"],
    variants: {},
    names: { latest: "3.22.1", edge: "3.23.0" },
    size: 3_650_000,
  },
  "docker.io/library/debian": {
    lines: ["13.1", "12.12", "11.11", "10.13"],
    variants: { slim: 0.58 },
    names: { latest: "13.1", stable: "13.1", trixie: "13.1", bookworm: "12.12", bullseye: "11.11", buster: "10.13", oldstable: "12.12" },
    size: 48_500_000,
  },
  "docker.io/library/python": {
    lines: ["3.14.0", "3.13.7", "3.12.11", "3.11.13", "3.10.18", "3.9.23", "3.8.20", "3.7.17", "2.7.18"],
    variants: { slim: 0.11, alpine: 0.045, ...DEBIAN, "slim-bookworm": 0.11, "slim-trixie": 0.115, "slim-bullseye": 0.11 },
    names: { latest: "3.13.7" },
    size: 398_000_000,
  },
  "docker.io/library/node": {
    lines: ["24.8.0", "23.11.1", "22.19.0", "21.7.3", "20.19.5", "19.9.0", "18.20.8", "16.20.2", "14.21.3"],
    variants: { alpine: 0.13, slim: 0.19, ...DEBIAN, "bookworm-slim": 0.19, "trixie-slim": 0.2, "bullseye-slim": 0.18 },
    names: { latest: "24.8.0", current: "24.8.0", lts: "22.19.0" },
    size: 393_000_000,
  },
  "docker.io/curlimages/curl": {
    lines: ["8.16.0", "7.88.1"],
    variants: {},
    names: { latest: "8.16.0" },
    size: 9_800_000,
  },
  "registry.k8s.io/kube-proxy": {
    lines: ["1.34.1", "1.33.5", "1.32.9", "1.31.13", "1.30.14", "1.29.15", "1.28.15", "1.27.16"],
    vPrefix: true,
    variants: {},
    names: {},
    size: 30_900_000,
  },
};

export interface Release {
  /** The version the tag stands for, with its variant: the key of its digest (1.29 and 1.29.1 share one). */
  canonical: string;
  sizeBytes: number;
}

const NUM = "(0|[1-9]\\d*)";
const TAG_RE = new RegExp(`^(v?)${NUM}(?:\\.${NUM})?(?:\\.${NUM})?(?:-([a-z0-9][a-z0-9-]*))?$`);

const parts = (v: string) => v.split(".").map(Number);

/** The version a numeric tag names under the rule, or undefined when no release line has it. */
function versionFor(rule: ReleaseRule, nums: number[]): string | undefined {
  for (const line of rule.lines) {
    const newest = parts(line);
    if (nums.length > newest.length) continue;
    const last = nums.length - 1;
    if (!nums.slice(0, last).every((n, i) => n === newest[i])) continue;
    if (nums.length < newest.length) {
      if (nums[last] === newest[last]) return line; // "1" or "1.29": the newest of the line
      continue;
    }
    if (nums[last] <= newest[last]) return nums.join(".");
  }
  return undefined;
}

/** What a tag of a rule-described repository stands for; undefined when the repository has no such tag. */
export function releaseFor(repo: string, tag: string): Release | undefined {
  const rule = RELEASES[repo];
  if (!rule) return undefined;
  let version: string | undefined;
  let variant = "";
  const named = Object.keys(rule.names).find((n) => tag === n || tag.startsWith(`${n}-`));
  const m = TAG_RE.exec(tag);
  if (named) {
    version = rule.names[named];
    variant = tag.slice(named.length + 1);
  } else if (m && (m[1] === "v") === !!rule.vPrefix) {
    version = versionFor(rule, [m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number));
    variant = m[5] ?? "";
  } else if (rule.variants[tag] !== undefined && rule.names.latest) {
    // A bare variant is the newest release's build of it (nginx:alpine, nginx:bookworm).
    [version, variant] = [rule.names.latest, tag];
  }
  if (!version) return undefined;
  const factor = variant === "" ? 1 : rule.variants[variant];
  if (factor === undefined) return undefined;
  // Stable, plausible sizes: within ±3 % of the line's, by version.
  const jitter = (parseInt(hex64(`size ${repo}:${version}`).slice(0, 4), 16) % 61) - 30;
  const canonical = `${rule.vPrefix ? "v" : ""}${version}${variant ? `-${variant}` : ""}`;
  return { canonical, sizeBytes: Math.round(rule.size * factor * (1 + jitter / 1000)) };
}

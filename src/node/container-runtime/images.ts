// The simulated image registry: the well-known images a classroom uses, with real-looking sizes per
// tag, and reference normalization as containerd does it (nginx -> docker.io/library/nginx:latest).
// An unknown repository, tag or digest fails the pull with the message containerd gives.

import { hex64 } from "./hash";

/** Which simulated program an image runs (see behaviour.ts). */
export type ImageFamily =
  | "nginx" | "httpd" | "redis" | "postgres" | "mysql" | "memcached" | "shell" | "python" | "node"
  | "pause" | "echoserver" | "agnhost" | "http-echo" | "polinux-stress" | "vish-stress" | "goproxy"
  | "etcd" | "kube-proxy" | "coredns" | "hello-app" | "whoami" | "curl" | "perl" | "fluentd";

interface RepoEntry {
  family: ImageFamily;
  /** Tag groups: tags in one group are the same image (same digest), with its compressed size. */
  tags: [string[], number][];
  entrypoint: string[];
  cmd: string[];
}

// Sizes are the compressed (content store) sizes containerd reports for linux/amd64, rounded
// from the public registries; exactness does not matter, plausibility and stability do.
const REPOS: Record<string, RepoEntry> = {
  "docker.io/library/nginx": {
    family: "nginx",
    tags: [
      [["latest", "1.27", "1.27.3", "mainline", "1"], 72_099_501],
      [["stable", "1.26", "1.26.2"], 71_006_482],
      [["alpine", "1.27-alpine", "mainline-alpine"], 20_506_641],
      [["1.25", "1.25.5"], 70_544_213],
      [["1.24", "1.24.0"], 56_743_221],
      [["1.23", "1.23.4"], 56_981_010],
      [["1.21", "1.21.6"], 56_715_428],
      [["1.19", "1.19.10"], 53_611_873],
      [["1.16.1", "1.16"], 51_030_575],
      [["1.14.2", "1.14"], 44_709_973],
      [["1.7.9"], 39_950_017],
    ],
    entrypoint: ["/docker-entrypoint.sh"],
    cmd: ["nginx", "-g", "daemon off;"],
  },
  "docker.io/library/httpd": {
    family: "httpd",
    tags: [[["latest", "2.4", "2", "2.4.62"], 58_184_364], [["alpine", "2.4-alpine"], 22_360_540]],
    entrypoint: [],
    cmd: ["httpd-foreground"],
  },
  "docker.io/library/redis": {
    family: "redis",
    tags: [
      [["latest", "7", "7.4", "7.4.1"], 45_516_372],
      [["alpine", "7-alpine", "7.4-alpine"], 17_236_125],
      [["7.2", "7.2.6"], 43_944_813],
      [["6", "6.2", "6.2.16"], 40_120_398],
      [["5.0.4", "5.0", "5"], 34_683_741],
    ],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["redis-server"],
  },
  "docker.io/library/postgres": {
    family: "postgres",
    tags: [
      [["latest", "17", "17.2"], 158_356_311],
      [["16", "16.6"], 157_905_231],
      [["15", "15.10"], 156_410_992],
      [["14", "14.15"], 155_002_118],
      [["13", "13.18"], 152_664_109],
      [["alpine", "17-alpine", "16-alpine"], 105_227_461],
    ],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["postgres"],
  },
  "docker.io/library/mysql": {
    family: "mysql",
    tags: [
      [["latest", "9", "9.1", "9.1.0"], 172_390_562],
      [["8.4", "lts", "8"], 171_113_744],
      [["8.0", "8.0.40"], 168_553_028],
      [["5.7", "5.7.44", "5"], 137_295_016],
    ],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["mysqld"],
  },
  "docker.io/library/perl": {
    family: "perl",
    tags: [[["latest", "5", "5.40", "5.40.0"], 340_210_774], [["5.34.0", "5.34"], 327_843_212], [["slim", "5-slim"], 53_103_440]],
    entrypoint: [],
    cmd: ["perl", "-de0"],
  },
  "quay.io/fluentd_elasticsearch/fluentd": {
    family: "fluentd",
    tags: [[["v2.5.2"], 60_218_330], [["v3.1.0"], 62_470_112], [["v4.7.2"], 66_004_418]],
    entrypoint: [],
    cmd: ["fluentd"],
  },
  "registry.k8s.io/nginx-slim": {
    family: "nginx",
    tags: [[["0.24"], 23_091_334], [["0.21"], 22_640_110], [["0.8"], 12_426_342]],
    entrypoint: [],
    cmd: ["nginx", "-g", "daemon off;"],
  },
  "docker.io/library/memcached": {
    family: "memcached",
    tags: [[["latest", "1.6", "1", "1.6.32"], 32_122_640], [["alpine", "1.6-alpine"], 5_418_062]],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["memcached"],
  },
  "docker.io/library/busybox": {
    family: "shell",
    tags: [
      [["latest", "1.37", "1.37.0", "stable", "1"], 2_166_802],
      [["1.36", "1.36.1"], 2_159_953],
      [["1.35", "1.35.0"], 2_150_114],
      [["1.34", "1.34.1"], 2_138_991],
      [["1.32", "1.32.1"], 1_365_524],
      [["1.31", "1.31.1"], 764_619],
      [["1.28", "1.28.4"], 727_869],
      [["1.27", "1.27.2"], 723_301],
      [["musl", "uclibc", "glibc"], 2_186_040],
    ],
    entrypoint: [],
    cmd: ["sh"],
  },
  "docker.io/library/alpine": {
    family: "shell",
    tags: [
      [["latest", "3", "3.21", "3.21.0"], 3_641_645],
      [["3.20", "3.20.3"], 3_624_160],
      [["3.19", "3.19.4"], 3_418_543],
      [["3.18", "3.18.9"], 3_411_262],
      [["edge"], 3_660_093],
    ],
    entrypoint: [],
    cmd: ["/bin/sh"],
  },
  "docker.io/library/ubuntu": {
    family: "shell",
    tags: [
      [["latest", "24.04", "noble"], 29_754_290],
      [["22.04", "jammy"], 29_535_977],
      [["20.04", "focal"], 27_509_994],
    ],
    entrypoint: [],
    cmd: ["/bin/bash"],
  },
  "docker.io/library/debian": {
    family: "shell",
    tags: [[["latest", "12", "bookworm"], 48_494_272], [["bookworm-slim", "12-slim", "stable-slim"], 28_231_149]],
    entrypoint: [],
    cmd: ["bash"],
  },
  "docker.io/library/python": {
    family: "python",
    tags: [
      [["latest", "3", "3.13"], 398_610_114],
      [["3.12"], 391_722_650],
      [["3.11"], 389_315_720],
      [["3.10"], 386_960_377],
      [["slim", "3.13-slim", "3.12-slim", "3.11-slim"], 45_101_372],
      [["alpine", "3.13-alpine", "3.12-alpine"], 17_630_338],
    ],
    entrypoint: [],
    cmd: ["python3"],
  },
  "docker.io/library/node": {
    family: "node",
    tags: [
      [["latest", "23", "current"], 393_220_151],
      [["22", "lts"], 391_542_866],
      [["20"], 386_107_924],
      [["18"], 383_880_512],
      [["alpine", "22-alpine", "20-alpine", "lts-alpine"], 49_664_312],
      [["slim", "22-slim", "20-slim"], 71_902_457],
    ],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["node"],
  },
  "docker.io/curlimages/curl": {
    family: "curl",
    tags: [[["latest", "8.11.0"], 9_831_206]],
    entrypoint: ["/entrypoint.sh"],
    cmd: ["curl"],
  },
  "registry.k8s.io/pause": {
    family: "pause",
    tags: [[["3.10"], 320_368], [["3.9"], 321_520], [["3.8"], 311_286], [["3.6"], 301_773], [["latest", "3.1"], 317_164]],
    entrypoint: ["/pause"],
    cmd: [],
  },
  "registry.k8s.io/busybox": {
    family: "shell",
    tags: [[["latest", "1.24"], 1_144_547]],
    entrypoint: [],
    cmd: ["sh"],
  },
  "registry.k8s.io/echoserver": {
    family: "echoserver",
    tags: [[["1.10"], 46_176_512], [["1.4"], 46_180_440]],
    entrypoint: [],
    cmd: ["/usr/local/bin/run.sh"],
  },
  "registry.k8s.io/e2e-test-images/agnhost": {
    family: "agnhost",
    tags: [
      [["2.53"], 51_945_030],
      [["2.52"], 51_931_554],
      [["2.47"], 51_200_117],
      [["2.45"], 51_154_962],
      [["2.43"], 51_142_102],
      [["2.40"], 51_156_911],
      [["2.39"], 51_105_200],
    ],
    entrypoint: ["/agnhost"],
    cmd: [],
  },
  "registry.k8s.io/goproxy": {
    family: "goproxy",
    tags: [[["0.1"], 2_653_125]],
    entrypoint: ["/goproxy"],
    cmd: [],
  },
  "registry.k8s.io/etcd": {
    family: "etcd",
    tags: [[["3.5.16-0"], 57_680_541], [["3.5.15-0"], 56_909_194], [["3.5.1-0"], 98_888_614]],
    entrypoint: [],
    cmd: ["/usr/local/bin/etcd"],
  },
  "registry.k8s.io/kube-proxy": {
    family: "kube-proxy",
    tags: [[["v1.32.2"], 30_907_858], [["v1.32.1"], 30_906_462], [["v1.32.0"], 30_905_047]],
    entrypoint: ["/usr/local/bin/kube-proxy"],
    cmd: [],
  },
  "registry.k8s.io/coredns/coredns": {
    family: "coredns",
    tags: [[["v1.11.3"], 18_562_039], [["v1.11.1"], 18_182_961]],
    entrypoint: ["/coredns"],
    cmd: [],
  },
  "docker.io/hashicorp/http-echo": {
    family: "http-echo",
    tags: [[["latest", "1.0", "1.0.0"], 3_671_032], [["0.2.3"], 2_420_640]],
    entrypoint: ["/http-echo"],
    cmd: [],
  },
  "docker.io/polinux/stress": {
    family: "polinux-stress",
    tags: [[["latest", "1.0.4"], 4_160_286]],
    entrypoint: [],
    cmd: ["stress"],
  },
  "docker.io/vish/stress": {
    family: "vish-stress",
    tags: [[["latest"], 1_610_302]],
    entrypoint: ["/stress"],
    cmd: ["-logtostderr"],
  },
  "gcr.io/google-samples/hello-app": {
    family: "hello-app",
    tags: [[["1.0"], 11_434_716], [["2.0"], 11_434_720]],
    entrypoint: ["/hello-app"],
    cmd: [],
  },
  "docker.io/kicbase/echo-server": {
    family: "echoserver",
    tags: [[["1.0", "latest"], 2_372_971]],
    entrypoint: ["/echo-server"],
    cmd: [],
  },
  "docker.io/traefik/whoami": {
    family: "whoami",
    tags: [[["latest", "v1.10", "v1.10.3"], 3_393_318]],
    entrypoint: ["/whoami"],
    cmd: [],
  },
};

// Old names that the registry still serves (k8s.gcr.io redirects to registry.k8s.io).
const REGISTRY_ALIASES: Record<string, string> = { "k8s.gcr.io": "registry.k8s.io" };

export interface ImageRef {
  /** As written in the pod spec. */
  raw: string;
  /** Registry host, e.g. docker.io. */
  domain: string;
  /** Repository path without host, e.g. library/nginx. */
  path: string;
  tag?: string;
  digest?: string;
  /** Normalized full name: docker.io/library/nginx:latest or ...@sha256:... */
  name: string;
  /** domain/path. */
  repo: string;
}

const REFERENCE_RE = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
const DOMAIN_RE = /^[a-zA-Z0-9.-]+(:[0-9]+)?$/;

/** Parse and normalize an image reference as docker/distribution does; error text as the kubelet reports it. */
export function parseImageRef(raw: string): ImageRef | { error: string } {
  const invalid = (why: string) => ({ error: `couldn't parse image reference ${JSON.stringify(raw)}: ${why}` });
  if (!raw) return invalid("invalid reference format");
  // Split off a domain the way ParseNormalizedNamed does: first component with '.' or ':' or localhost.
  let domain = "docker.io";
  let rest = raw;
  const slash = raw.indexOf("/");
  if (slash > 0) {
    const first = raw.slice(0, slash);
    if ((first.includes(".") || first.includes(":") || first === "localhost") && DOMAIN_RE.test(first)) {
      domain = first.toLowerCase();
      rest = raw.slice(slash + 1);
    }
  }
  if (domain === "docker.io" && !rest.includes("/")) rest = `library/${rest}`;
  const nameOnly = rest.split("@")[0].replace(/:[^/]*$/, "");
  if (nameOnly !== nameOnly.toLowerCase()) {
    return invalid(`invalid reference format: repository name (${nameOnly}) must be lowercase`);
  }
  const m = REFERENCE_RE.exec(rest);
  if (!m) return invalid("invalid reference format");
  const [, path, tag, digest] = m;
  const repo = `${domain}/${path}`;
  const effectiveTag = tag ?? (digest ? undefined : "latest");
  const name = digest ? `${repo}@${digest}` : `${repo}:${effectiveTag}`;
  return { raw, domain, path, tag: effectiveTag, digest, name, repo };
}

export interface ResolvedImage {
  ref: ImageRef;
  family: ImageFamily;
  /** Name with tag as shown in containerStatuses[].image, e.g. docker.io/library/nginx:latest. */
  tagName: string;
  /** repo@sha256:... as shown in containerStatuses[].imageID and status.images. */
  repoDigest: string;
  /** Image (config) id: sha256:..., the cache key. */
  id: string;
  sizeBytes: number;
  entrypoint: string[];
  cmd: string[];
}

export type ResolveResult = { ok: true; image: ResolvedImage } | { ok: false; code: "NotFound" | "Unknown"; message: string };

function lookupRepo(ref: ImageRef): [string, RepoEntry] | undefined {
  const domain = REGISTRY_ALIASES[ref.domain] ?? ref.domain;
  const key = `${domain}/${ref.path}`;
  const entry = REPOS[key];
  return entry ? [key, entry] : undefined;
}

/** Resolve a reference against the simulated registry. Failure messages are containerd's. */
export function resolveImage(ref: ImageRef): ResolveResult {
  const wanted = ref.name;
  const fail = (code: "NotFound" | "Unknown", tail: string): ResolveResult => ({
    ok: false,
    code,
    message: `failed to pull and unpack image ${JSON.stringify(wanted)}: failed to resolve reference ${JSON.stringify(wanted)}: ${tail}`,
  });
  const found = lookupRepo(ref);
  if (!found) {
    if (ref.domain === "docker.io") {
      return fail("Unknown", "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed");
    }
    if (KNOWN_REGISTRIES.has(ref.domain)) return fail("NotFound", `${wanted}: not found`);
    const [host] = ref.domain.split(":");
    const ref2 = ref.digest ?? ref.tag;
    return fail("Unknown", `failed to do request: Head "https://${ref.domain}/v2/${ref.path}/manifests/${ref2}": dial tcp: lookup ${host}: no such host`);
  }
  const [key, entry] = found;
  for (const [tags, size] of entry.tags) {
    const digest = `sha256:${hex64(`repo-digest ${key}:${tags[0]}`)}`;
    if (ref.digest ? ref.digest === digest : tags.includes(ref.tag ?? "latest")) {
      return {
        ok: true,
        image: {
          ref,
          family: entry.family,
          tagName: ref.digest ? ref.name : `${ref.repo}:${ref.tag}`,
          repoDigest: `${ref.repo}@${digest}`,
          id: `sha256:${hex64(`image-id ${key}:${tags[0]}`)}`,
          sizeBytes: size,
          entrypoint: entry.entrypoint,
          cmd: entry.cmd,
        },
      };
    }
  }
  return fail("NotFound", `${wanted}: not found`);
}

const KNOWN_REGISTRIES = new Set(["registry.k8s.io", "k8s.gcr.io", "gcr.io", "quay.io", "ghcr.io", "mcr.microsoft.com", "public.ecr.aws"]);

/** The sandbox (pause) image every pod uses; preloaded on the node. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/** Every known repository with its tag groups (for tests and for a classroom UI listing). */
export function knownRepositories(): { repo: string; tags: string[] }[] {
  return Object.entries(REPOS).map(([repo, e]) => ({ repo, tags: e.tags.flatMap(([t]) => t) }));
}

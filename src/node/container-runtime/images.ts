// The simulated image registry: the well-known images a classroom uses, with real-looking sizes per
// tag, and reference normalization as containerd does it (nginx -> docker.io/library/nginx:latest).
// An unknown repository, tag or digest fails the pull with the message containerd gives.

import { hex64 } from "./hash";
import { REPOS, type ImageFamily, type RepoEntry } from "./image-catalog";
import { releaseFor } from "./image-releases";

export type { ImageFamily } from "./image-catalog";

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
  const image = (canonical: string, sizeBytes: number, digest = `sha256:${hex64(`repo-digest ${key}:${canonical}`)}`): ResolveResult => ({
    ok: true,
    image: {
      ref,
      family: entry.family,
      tagName: ref.digest ? ref.name : `${ref.repo}:${ref.tag}`,
      repoDigest: `${ref.repo}@${digest}`,
      id: `sha256:${hex64(`image-id ${key}:${canonical}`)}`,
      sizeBytes,
      entrypoint: entry.entrypoint,
      cmd: entry.cmd,
    },
  });
  for (const [tags, size] of entry.tags) {
    const digest = `sha256:${hex64(`repo-digest ${key}:${tags[0]}`)}`;
    if (ref.digest ? ref.digest === digest : tags.includes(ref.tag ?? "latest")) return image(tags[0], size, digest);
  }
  // Real digests cannot be known here: any digest of a well-known repository is taken to be one of
  // its images (a manifest copied from the docs pins one), sized as its newest default build.
  if (ref.digest) return image(ref.digest, releaseFor(key, "latest")?.sizeBytes ?? entry.tags[0]?.[1] ?? 0, ref.digest);
  const release = releaseFor(key, ref.tag ?? "latest");
  if (release) return image(release.canonical, release.sizeBytes);
  return fail("NotFound", `${wanted}: not found`);
}

const KNOWN_REGISTRIES = new Set(["registry.k8s.io", "k8s.gcr.io", "gcr.io", "quay.io", "ghcr.io", "mcr.microsoft.com", "public.ecr.aws"]);

/** The sandbox (pause) image every pod uses; preloaded on the node. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/** Every known repository with its tag groups (for tests and for a classroom UI listing). */
export function knownRepositories(): { repo: string; tags: string[] }[] {
  return Object.entries(REPOS).map(([repo, e]) => ({ repo, tags: e.tags.flatMap(([t]) => t) }));
}

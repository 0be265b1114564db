// The simulated registry's catalogue: the well-known images a classroom uses, the program each runs,
// and the tags whose sizes are known exactly. Tags beyond these follow the release rule in
// image-releases.ts.

/** Which simulated program an image runs (see behaviour.ts). */
export type ImageFamily =
  | "nginx" | "httpd" | "redis" | "postgres" | "mysql" | "memcached" | "shell" | "python" | "node"
  | "pause" | "echoserver" | "agnhost" | "http-echo" | "polinux-stress" | "vish-stress" | "goproxy"
  | "etcd" | "kube-proxy" | "coredns" | "hello-app" | "whoami" | "curl" | "perl" | "fluentd";

export interface RepoEntry {
  family: ImageFamily;
  /**
   * Tag groups whose size is known exactly: tags in one group are the same image (same digest).
   * Other tags follow the release rule (image-releases.ts) where the repository has one.
   */
  tags: [string[], number][];
  entrypoint: string[];
  cmd: string[];
}

// Sizes are the compressed (content store) sizes containerd reports for linux/amd64, rounded
// from the public registries; exactness does not matter, plausibility and stability do.
export const REPOS: Record<string, RepoEntry> = {
  "docker.io/library/nginx": {
    family: "nginx",
    tags: [
      [["latest", "1.29", "1.29.1", "mainline", "1"], 72_099_501],
      [["stable", "1.28", "1.28.0"], 71_006_482],
      [["alpine", "1.29-alpine", "mainline-alpine"], 20_506_641],
    ],
    entrypoint: ["/docker-entrypoint.sh"],
    cmd: ["nginx", "-g", "daemon off;"],
  },
  "docker.io/library/httpd": {
    family: "httpd",
    tags: [],
    entrypoint: [],
    cmd: ["httpd-foreground"],
  },
  "docker.io/library/redis": {
    family: "redis",
    tags: [],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["redis-server"],
  },
  "docker.io/library/postgres": {
    family: "postgres",
    tags: [],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["postgres"],
  },
  "docker.io/library/mysql": {
    family: "mysql",
    tags: [],
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
    tags: [],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["memcached"],
  },
  "docker.io/library/busybox": {
    family: "shell",
    tags: [],
    entrypoint: [],
    cmd: ["sh"],
  },
  "docker.io/library/alpine": {
    family: "shell",
    tags: [],
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
    tags: [],
    entrypoint: [],
    cmd: ["bash"],
  },
  "docker.io/library/python": {
    family: "python",
    tags: [],
    entrypoint: [],
    cmd: ["python3"],
  },
  "docker.io/library/node": {
    family: "node",
    tags: [],
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["node"],
  },
  "docker.io/curlimages/curl": {
    family: "curl",
    tags: [],
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
    tags: [],
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

// Every timing and sizing constant of the simulated kubelet and runtime, in one place.

export const TIMING = {
  /** RunPodSandbox + CNI setup, from admission to the pod IP (ms, plus up to 50% jitter). */
  sandboxMs: 400,
  /** CreateContainer and StartContainer after the image is there (ms, plus jitter). */
  createMs: 60,
  startMs: 120,
  /** PLEG relist: how long after a container exits the kubelet acts on it. */
  observeMs: 1000,
  /** How long a failed pull shows ErrImagePull before the next pod sync reports ImagePullBackOff. */
  errImagePullShownMs: 4000,
  /** Delay between one init container finishing and the next one starting (a pod worker sync). */
  nextInitMs: 700,
  /** Image pulls: registry round trip and bandwidth (bytes/s), both jittered by the seed. */
  pullLatencyMinMs: 300,
  pullLatencyMaxMs: 900,
  pullBandwidthMin: 20e6,
  pullBandwidthMax: 40e6,
  /** imagePullPolicy Always with the image cached: a manifest check only. */
  manifestCheckMinMs: 400,
  manifestCheckMaxMs: 1000,
  /** A failing pull (manifest not found) answers after this long. */
  pullFailMinMs: 400,
  pullFailMaxMs: 1500,
  defaultGraceSeconds: 30,
} as const;

export const BACKOFF = {
  /** CrashLoopBackOff and image pull back-off: 10 s doubling to 5 min (kubelet defaults). */
  initialMs: 10_000,
  maxMs: 300_000,
} as const;

export const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

/** The sandbox (pause) image, present on every node from boot. */
export const SANDBOX_IMAGE = "registry.k8s.io/pause:3.10";

/** kubelet's default status.images cap (nodeStatusMaxImages). */
export const MAX_NODE_IMAGES = 50;

/** Log and user agent strings. */
export const PROBE_USER_AGENT = "kube-probe/1.32";

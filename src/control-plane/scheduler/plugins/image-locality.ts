// ImageLocality: prefer nodes that already hold the pod's images, weighted by image size and by how widely
// the image is spread (to avoid piling pods onto the one node that has it), clamped to 23MB..1000MB×containers.
import { type CycleState, MAX_NODE_SCORE, type Plugin, definePlugin, idiv } from "../framework";
import type { NodeInfo } from "../snapshot";

export const NAME = "ImageLocality";
const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** calculatePriority: scale the summed image score between the thresholds. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  if (sumScores < MIN_THRESHOLD) sumScores = MIN_THRESHOLD;
  else if (sumScores > maxThreshold) sumScores = maxThreshold;
  return idiv(MAX_NODE_SCORE * (sumScores - MIN_THRESHOLD), maxThreshold - MIN_THRESHOLD);
}

export function score(c: CycleState, ni: NodeInfo): number {
  const imgs = c.pod.images;
  if (imgs.length === 0) return 0;
  let sum = 0;
  if (ni.images.size > 0) {
    const total = c.snapshot.nodes.length;
    for (const name of imgs) {
      const size = ni.images.get(name);
      if (size === undefined) continue;
      // scaledImageScore: size × (nodes with the image / all nodes), truncated like int64(float64).
      sum += Math.trunc(size * ((c.snapshot.imageNodes.get(name) ?? 0) / total));
    }
  }
  return calculatePriority(sum, imgs.length);
}

export const imageLocalityPlugin: Plugin = definePlugin({ name: NAME, score });

// The plugins of the default profile (pkg/scheduler/framework/plugins/registry.go's in-tree plugins), in the
// order of the MultiPoint list in pkg/scheduler/apis/config/v1/default_plugins.go: each extension point runs
// the plugins that implement it in this order, so the first failing filter names a node's status and the
// scores are explained column by column in it. Left out, as the classroom does not model them:
// SchedulingGates, PrioritySort (the queue sorts), the volume plugins and DefaultBinder.
import type { Plugin } from "../framework";
import { balancedAllocationPlugin } from "./balanced-allocation";
import { defaultPreemptionPlugin } from "./default-preemption";
import { imageLocalityPlugin } from "./image-locality";
import { interPodAffinityPlugin } from "./inter-pod-affinity";
import { nodeAffinityPlugin } from "./node-affinity";
import { nodeNamePlugin } from "./node-name";
import { nodePortsPlugin } from "./node-ports";
import { nodeResourcesFitPlugin } from "./node-resources-fit";
import { nodeUnschedulablePlugin } from "./node-unschedulable";
import { podTopologySpreadPlugin } from "./pod-topology-spread";
import { taintTolerationPlugin } from "./taint-toleration";

export const DEFAULT_PLUGINS: readonly Plugin[] = [
  nodeUnschedulablePlugin,
  nodeNamePlugin,
  taintTolerationPlugin,
  nodeAffinityPlugin,
  nodePortsPlugin,
  nodeResourcesFitPlugin,
  podTopologySpreadPlugin,
  interPodAffinityPlugin,
  defaultPreemptionPlugin,
  balancedAllocationPlugin,
  imageLocalityPlugin,
];

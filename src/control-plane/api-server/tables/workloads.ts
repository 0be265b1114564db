// apps/v1 tables: printDeployment, printReplicaSet, printDaemonSet, printStatefulSet.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "../objects/apps";
import type { KubeObject } from "../types";
import { D } from "./descriptions";
import { age, col, containerCells, formatLabels, formatLabelSelector, int, labelSelectorString, nameOf, statusOf } from "./format";
import type { Printer } from "./types";

const CONTAINERS = "Names of each container in the template.";
const IMAGES = "Images referenced by each container in the template.";

/** spec.replicas as stored: the real defaulting fills in 1 when it is left out. */
function replicas(obj: KubeObject): number {
  return typeof obj.spec?.replicas === "number" ? Math.trunc(obj.spec.replicas) : 1;
}

export const deploymentPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "string", D.deploymentUpdatedReplicas),
    col("Available", "string", D.deploymentAvailableReplicas),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
    col("Selector", "string", D.deploymentSelector, 1),
  ],
  cells(d: Deployment, now: number): unknown[] {
    const st = statusOf(d);
    const [names, images] = containerCells(d.spec?.template?.spec);
    // Deployments print the raw selector string: "" when empty, unlike FormatLabelSelector.
    const selector = labelSelectorString(d.spec?.selector) ?? "<invalid>";
    return [nameOf(d), `${int(st.readyReplicas)}/${replicas(d)}`, int(st.updatedReplicas), int(st.availableReplicas), age(d, now), names, images, selector];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Desired", "integer", D.replicaSetSpecReplicas),
    col("Current", "integer", D.replicaSetStatusReplicas),
    col("Ready", "integer", D.replicaSetReadyReplicas),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
    col("Selector", "string", D.replicaSetSelector, 1),
  ],
  cells(rs: ReplicaSet, now: number): unknown[] {
    const st = statusOf(rs);
    const [names, images] = containerCells(rs.spec?.template?.spec);
    return [nameOf(rs), replicas(rs), int(st.replicas), int(st.readyReplicas), age(rs, now), names, images, formatLabelSelector(rs.spec?.selector)];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Desired", "integer", D.dsDesired),
    col("Current", "integer", D.dsCurrent),
    col("Ready", "integer", D.dsReady),
    col("Up-to-date", "integer", D.dsUpdated),
    col("Available", "integer", D.dsAvailable),
    col("Node Selector", "string", D.nodeSelector),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
    col("Selector", "string", D.dsSelector, 1),
  ],
  cells(ds: DaemonSet, now: number): unknown[] {
    const st = statusOf(ds);
    const podSpec = ds.spec?.template?.spec;
    const [names, images] = containerCells(podSpec);
    return [
      nameOf(ds),
      int(st.desiredNumberScheduled),
      int(st.currentNumberScheduled),
      int(st.numberReady),
      int(st.updatedNumberScheduled),
      int(st.numberAvailable),
      formatLabels(podSpec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Ready", "string", "Number of the pod with ready state"),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
  ],
  cells(sts: StatefulSet, now: number): unknown[] {
    const [names, images] = containerCells(sts.spec?.template?.spec);
    return [nameOf(sts), `${int(sts.status?.readyReplicas)}/${replicas(sts)}`, age(sts, now), names, images];
  },
};

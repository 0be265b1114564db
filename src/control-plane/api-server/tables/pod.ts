// Pod table: printPod in pkg/printers/internalversion/printers.go, including the STATUS reason
// computation kubectl users know (Init:0/1, CrashLoopBackOff, Completed, NotReady, Terminating...).

import type { Pod } from "../objects/core";
import { D } from "./descriptions";
import { col } from "./format";
import { podCells } from "./pod-cells";
import type { Printer, TableRowCondition } from "./types";

export const podPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    col("Age", "string", D.creationTimestamp),
    col("IP", "string", D.podIP, 1),
    col("Node", "string", D.podNodeName, 1),
    col("Nominated Node", "string", D.nominatedNodeName, 1),
    col("Readiness Gates", "string", D.readinessGates, 1),
  ],
  cells: podCells,
  conditions: podRowConditions,
};

/** Finished pods carry a Completed row condition, as the real printer sets it. */
function podRowConditions(pod: Pod): TableRowCondition[] | undefined {
  switch (pod.status?.phase) {
    case "Succeeded":
      return [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }];
    case "Failed":
      return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
  }
  return undefined;
}

export { podCells };

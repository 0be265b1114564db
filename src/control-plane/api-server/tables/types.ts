// Wire shapes of meta.k8s.io/v1 Table, and the per-kind printer contract.

import type { KubeObject } from "../types";

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** metav1.TableRowCondition: the real server marks finished pods with a Completed row condition. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  object: unknown;
  conditions?: TableRowCondition[];
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/**
 * One kind's printer. The API server always prints with Wide set (kubectl hides priority>0 columns
 * itself), so cells always carry every column, wide ones included.
 */
export interface Printer {
  columns: TableColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}

// The typed object shape shared by every kind (k8s.io/apimachinery/pkg/apis/meta/v1/types.go) and the
// selector and condition types several API groups use. Only what the control plane reads is declared;
// the JSON of an object may carry more (it is kept and served as sent).
import type { KubeObject } from "../types";

/** A stored object of one kind: its spec as the API server defaulted it, and the status its controller wrote. */
export interface TypedObject<Spec, Status = never> extends KubeObject {
  spec: Spec;
  status?: Status;
}

/** metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** The condition shape most kinds use (metav1.Condition and its per-kind twins). */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
  observedGeneration?: number;
}

/** metav1.ObjectReference / v1.ObjectReference as Events and Endpoints carry it. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** A quantity as JSON carries it ("100m", "1Gi", 2). */
export type Quantity = string | number;
export type ResourceList = Record<string, Quantity>;

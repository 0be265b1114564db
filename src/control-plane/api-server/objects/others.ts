// The kinds of the smaller API groups the components use: autoscaling/v2, coordination.k8s.io/v1,
// discovery.k8s.io/v1 and scheduling.k8s.io/v1 (k8s.io/api/<group>/<version>/types.go), as JSON.
import type { Condition, LabelSelector, ObjectReference, Quantity, TypedObject } from "./meta";
import type { KubeObject } from "../types";

export interface MetricTarget { type: "Utilization" | "Value" | "AverageValue"; averageUtilization?: number; value?: Quantity; averageValue?: Quantity }
export interface MetricIdentifier { name: string; selector?: LabelSelector }
export interface MetricSpec {
  type: "Resource" | "ContainerResource" | "Pods" | "Object" | "External";
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: MetricIdentifier; target: MetricTarget };
  object?: { describedObject: ObjectReference; metric: MetricIdentifier; target: MetricTarget };
  external?: { metric: MetricIdentifier; target: MetricTarget };
}
export interface HPAScalingPolicy { type: "Pods" | "Percent"; value: number; periodSeconds: number }
export interface HPAScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: "Max" | "Min" | "Disabled"; policies?: HPAScalingPolicy[]; tolerance?: Quantity }

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
}

export interface MetricValueStatus { value?: Quantity; averageValue?: Quantity; averageUtilization?: number }
export interface MetricStatus {
  type: MetricSpec["type"];
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
  pods?: { metric: MetricIdentifier; current: MetricValueStatus };
  object?: { describedObject: ObjectReference; metric: MetricIdentifier; current: MetricValueStatus };
  external?: { metric: MetricIdentifier; current: MetricValueStatus };
}

export interface HorizontalPodAutoscalerStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas: number;
  desiredReplicas: number;
  currentMetrics?: MetricStatus[];
  conditions?: Condition[];
}

export interface HorizontalPodAutoscaler extends TypedObject<HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus> { kind: "HorizontalPodAutoscaler" }

export interface LeaseSpec { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number }
export interface Lease extends TypedObject<LeaseSpec> { kind: "Lease" }

export interface EndpointConditions { ready?: boolean; serving?: boolean; terminating?: boolean }
export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[] };
}
export interface EndpointSlice extends KubeObject {
  kind: "EndpointSlice";
  addressType: "IPv4" | "IPv6" | "FQDN";
  endpoints: Endpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[] | null;
}

export interface PriorityClass extends KubeObject {
  kind: "PriorityClass";
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
}

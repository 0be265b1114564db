// core/v1 top-level kinds kubectl's typed client creates (field numbers from k8s.io/api core/v1 generated.proto).
import { define } from "./schema.js";
import "./types-core-pod.js";
import "./types-meta.js";

define({
  Namespace: "1 metadata ObjectMeta; 2 spec NamespaceSpec; 3 status NamespaceStatus",
  NamespaceSpec: "1 finalizers s*",
  NamespaceStatus: "1 phase s; 2 conditions NamespaceCondition*",
  NamespaceCondition: "1 type s!; 2 status s!; 4 lastTransitionTime Time; 5 reason s; 6 message s",

  ConfigMap: "1 metadata ObjectMeta; 4 immutable b?; 2 data map:s; 3 binaryData map:bytes",
  Secret: "1 metadata ObjectMeta; 5 immutable b?; 2 data map:bytes; 4 stringData map:s; 3 type s",

  ServiceAccount:
    "1 metadata ObjectMeta; 2 secrets ObjectReference*; 3 imagePullSecrets LocalObjectReference*;" +
    "4 automountServiceAccountToken b?",
  ObjectReference:
    "1 kind s; 2 namespace s; 3 name s; 4 uid s; 5 apiVersion s; 6 resourceVersion s; 7 fieldPath s",

  Service: "1 metadata ObjectMeta; 2 spec ServiceSpec; 3 status ServiceStatus",
  ServiceSpec:
    "1 ports ServicePort*; 2 selector map:s; 3 clusterIP s; 18 clusterIPs s*; 4 type s; 5 externalIPs s*;" +
    "7 sessionAffinity s; 8 loadBalancerIP s; 9 loadBalancerSourceRanges s*; 10 externalName s;" +
    "11 externalTrafficPolicy s; 12 healthCheckNodePort i32; 13 publishNotReadyAddresses b;" +
    "14 sessionAffinityConfig SessionAffinityConfig?; 19 ipFamilies s*; 17 ipFamilyPolicy s?;" +
    "20 allocateLoadBalancerNodePorts b?; 21 loadBalancerClass s?; 22 internalTrafficPolicy s?; 23 trafficDistribution s?",
  // targetPort is a value IntOrString with omitempty, which encoding/json never omits.
  ServicePort: "1 name s; 2 protocol s; 6 appProtocol s?; 3 port i32!; 4 targetPort IntOrString; 5 nodePort i32",
  SessionAffinityConfig: "1 clientIP ClientIPConfig?",
  ClientIPConfig: "1 timeoutSeconds i32?",
  ServiceStatus: "1 loadBalancer LoadBalancerStatus; 2 conditions Condition*",
  LoadBalancerStatus: "1 ingress LoadBalancerIngress*",
  LoadBalancerIngress: "1 ip s; 2 hostname s; 3 ipMode s?; 4 ports PortStatus*",
  PortStatus: "1 port i32!; 2 protocol s!; 3 error s?",
  Condition:
    "1 type s!; 2 status s!; 3 observedGeneration i64; 4 lastTransitionTime Time!; 5 reason s!; 6 message s!",

  ResourceQuota: "1 metadata ObjectMeta; 2 spec ResourceQuotaSpec; 3 status ResourceQuotaStatus",
  ResourceQuotaSpec: "1 hard map:Quantity; 2 scopes s*; 3 scopeSelector ScopeSelector?",
  ScopeSelector: "1 matchExpressions ScopedResourceSelectorRequirement*",
  ScopedResourceSelectorRequirement: "1 scopeName s!; 2 operator s!; 3 values s*",
  ResourceQuotaStatus: "1 hard map:Quantity; 2 used map:Quantity",

  // Pod: kubectl run sends JSON today, but the table is cheap and the spec is shared.
  Pod: "1 metadata ObjectMeta; 2 spec PodSpec; 3 status PodStatus",
  PodStatus:
    "1 phase s; 2 conditions PodCondition*; 3 message s; 4 reason s; 11 nominatedNodeName s; 5 hostIP s;" +
    "6 podIP s; 7 startTime Time?; 9 qosClass s",
  PodCondition:
    "1 type s!; 7 observedGeneration i64; 2 status s!; 3 lastProbeTime Time; 4 lastTransitionTime Time; 5 reason s;" +
    "6 message s",

  // authentication/v1 TokenRequest: `kubectl create token` POSTs it to serviceaccounts/<name>/token.
  TokenRequest: "1 metadata ObjectMeta; 2 spec TokenRequestSpec!; 3 status TokenRequestStatus",
  TokenRequestSpec: "1 audiences s*!; 4 expirationSeconds i64?; 3 boundObjectRef BoundObjectReference?",
  BoundObjectReference: "1 kind s; 2 apiVersion s; 3 name s; 4 uid s",
  TokenRequestStatus: "1 token s!; 2 expirationTimestamp Time",
});

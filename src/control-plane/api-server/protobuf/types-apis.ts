// Non-core API group tables (field numbers from each group's k8s.io/api generated.proto).
import { define } from "./schema.js";
import "./types-core.js";

define({
  // apps/v1
  Deployment: "1 metadata ObjectMeta; 2 spec DeploymentSpec; 3 status DeploymentStatus",
  DeploymentSpec:
    "1 replicas i32?; 2 selector LabelSelector?!; 3 template PodTemplateSpec; 4 strategy DeploymentStrategy;" +
    "5 minReadySeconds i32; 6 revisionHistoryLimit i32?; 7 paused b; 9 progressDeadlineSeconds i32?;" +
    "10 podReplacementPolicy s?",
  DeploymentStrategy: "1 type s; 2 rollingUpdate RollingUpdateDeployment?",
  RollingUpdateDeployment: "1 maxUnavailable IntOrString?; 2 maxSurge IntOrString?",
  DeploymentStatus:
    "1 observedGeneration i64; 2 replicas i32; 3 updatedReplicas i32; 7 readyReplicas i32; 4 availableReplicas i32;" +
    "5 unavailableReplicas i32; 9 terminatingReplicas i32?; 6 conditions DeploymentCondition*; 8 collisionCount i32?",
  DeploymentCondition:
    "1 type s!; 2 status s!; 6 lastUpdateTime Time; 7 lastTransitionTime Time; 4 reason s; 5 message s",

  // batch/v1
  Job: "1 metadata ObjectMeta; 2 spec JobSpec; 3 status JobStatus",
  JobSpec:
    "1 parallelism i32?; 2 completions i32?; 3 activeDeadlineSeconds i64?; 7 backoffLimit i32?;" +
    "12 backoffLimitPerIndex i32?; 13 maxFailedIndexes i32?; 4 selector LabelSelector?; 5 manualSelector b?;" +
    "6 template PodTemplateSpec; 8 ttlSecondsAfterFinished i32?; 9 completionMode s?; 10 suspend b?;" +
    "14 podReplacementPolicy s?; 15 managedBy s?",
  JobStatus:
    "1 conditions JobCondition*; 2 startTime Time?; 3 completionTime Time?; 4 active i32; 5 succeeded i32; 6 failed i32;" +
    "9 ready i32?",
  JobCondition:
    "1 type s!; 2 status s!; 3 lastProbeTime Time; 4 lastTransitionTime Time; 5 reason s; 6 message s",
  CronJob: "1 metadata ObjectMeta; 2 spec CronJobSpec; 3 status CronJobStatus",
  CronJobSpec:
    "1 schedule s!; 8 timeZone s?; 2 startingDeadlineSeconds i64?; 3 concurrencyPolicy s; 4 suspend b?;" +
    "5 jobTemplate JobTemplateSpec; 6 successfulJobsHistoryLimit i32?; 7 failedJobsHistoryLimit i32?",
  JobTemplateSpec: "1 metadata ObjectMeta; 2 spec JobSpec",
  CronJobStatus: "1 active ObjectReference*; 4 lastScheduleTime Time?; 5 lastSuccessfulTime Time?",

  // autoscaling/v1 (kubectl 1.32 `autoscale` posts this version)
  HorizontalPodAutoscaler:
    "1 metadata ObjectMeta; 2 spec HorizontalPodAutoscalerSpec; 3 status HorizontalPodAutoscalerStatus",
  HorizontalPodAutoscalerSpec:
    "1 scaleTargetRef CrossVersionObjectReference; 2 minReplicas i32?; 3 maxReplicas i32!;" +
    "4 targetCPUUtilizationPercentage i32?",
  CrossVersionObjectReference: "1 kind s!; 2 name s!; 3 apiVersion s",
  HorizontalPodAutoscalerStatus:
    "1 observedGeneration i64?; 2 lastScaleTime Time?; 3 currentReplicas i32!; 4 desiredReplicas i32!;" +
    "5 currentCPUUtilizationPercentage i32?",

  // authorization.k8s.io/v1
  SelfSubjectAccessReview:
    "1 metadata ObjectMeta; 2 spec SelfSubjectAccessReviewSpec; 3 status SubjectAccessReviewStatus",
  SelfSubjectAccessReviewSpec: "1 resourceAttributes ResourceAttributes?; 2 nonResourceAttributes NonResourceAttributes?",
  ResourceAttributes:
    "1 namespace s; 2 verb s; 3 group s; 4 version s; 5 resource s; 6 subresource s; 7 name s;" +
    "8 fieldSelector FieldSelectorAttributes?; 9 labelSelector LabelSelectorAttributes?",
  NonResourceAttributes: "1 path s; 2 verb s",
  FieldSelectorAttributes: "1 rawSelector s; 2 requirements FieldSelectorRequirement*",
  FieldSelectorRequirement: "1 key s!; 2 operator s!; 3 values s*",
  LabelSelectorAttributes: "1 rawSelector s; 2 requirements LabelSelectorRequirement*",
  SubjectAccessReviewStatus: "1 allowed b!; 4 denied b; 2 reason s; 3 evaluationError s",

  // scheduling.k8s.io/v1
  PriorityClass: "1 metadata ObjectMeta; 2 value i32!; 3 globalDefault b; 4 description s; 5 preemptionPolicy s?",

  // policy/v1
  Eviction: "1 metadata ObjectMeta; 2 deleteOptions DeleteOptions?",
  PodDisruptionBudget:
    "1 metadata ObjectMeta; 2 spec PodDisruptionBudgetSpec; 3 status PodDisruptionBudgetStatus",
  PodDisruptionBudgetSpec:
    "1 minAvailable IntOrString?; 2 selector LabelSelector?; 3 maxUnavailable IntOrString?;" +
    "4 unhealthyPodEvictionPolicy s?",
  PodDisruptionBudgetStatus:
    "1 observedGeneration i64; 2 disruptedPods map:Time; 3 disruptionsAllowed i32!; 4 currentHealthy i32!;" +
    "5 desiredHealthy i32!; 6 expectedPods i32!; 7 conditions Condition*",

  // rbac.authorization.k8s.io/v1
  Role: "1 metadata ObjectMeta; 2 rules PolicyRule*!",
  ClusterRole: "1 metadata ObjectMeta; 2 rules PolicyRule*!; 3 aggregationRule AggregationRule?",
  AggregationRule: "1 clusterRoleSelectors LabelSelector*",
  PolicyRule: "1 verbs s*!; 2 apiGroups s*; 3 resources s*; 4 resourceNames s*; 5 nonResourceURLs s*",
  RoleBinding: "1 metadata ObjectMeta; 2 subjects Subject*; 3 roleRef RoleRef",
  Subject: "1 kind s!; 2 apiGroup s; 3 name s!; 4 namespace s",
  RoleRef: "1 apiGroup s!; 2 kind s!; 3 name s!",

  // networking.k8s.io/v1
  Ingress: "1 metadata ObjectMeta; 2 spec IngressSpec; 3 status IngressStatus",
  IngressSpec:
    "4 ingressClassName s?; 1 defaultBackend IngressBackend?; 2 tls IngressTLS*; 3 rules IngressRule*",
  IngressBackend: "4 service IngressServiceBackend?; 3 resource TypedLocalObjectReference?",
  IngressServiceBackend: "1 name s!; 2 port ServiceBackendPort",
  ServiceBackendPort: "1 name s; 2 number i32",
  TypedLocalObjectReference: "1 apiGroup s?; 2 kind s!; 3 name s!",
  IngressTLS: "1 hosts s*; 2 secretName s",
  IngressRule: "1 host s; 2 ingressRuleValue IngressRuleValue^",
  IngressRuleValue: "1 http HTTPIngressRuleValue?",
  HTTPIngressRuleValue: "1 paths HTTPIngressPath*!",
  HTTPIngressPath: "1 path s; 3 pathType s?; 2 backend IngressBackend",
  IngressStatus: "1 loadBalancer IngressLoadBalancerStatus",
  IngressLoadBalancerStatus: "1 ingress IngressLoadBalancerIngress*",
  IngressLoadBalancerIngress: "1 ip s; 2 hostname s; 4 ports PortStatus*",
});

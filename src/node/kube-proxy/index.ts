// kube-proxy: the per-node service rules (rules.ts) and the routing decision they make (route.ts).
export { buildRules, describeRules } from "./rules";
export type { ProxyEndpoint, ProxyRules, ProxyServicePort, TrafficPolicy } from "./rules";
export { newAffinityTable, route } from "./route";
export type { AffinityTable, RouteRequest, RouteResult } from "./route";

// kube-scheduler's logic as pure functions over API objects; the classroom Durable Object drives it from
// its alarm (build a snapshot, pop pods from the queue, scheduleOne, bind, assume).
export { type SchedulerProfile, defaultProfile, validateProfile, DEFAULT_WEIGHTS, FILTER_PLUGINS, SCORE_PLUGINS } from "./profile";
export { type ClusterSnapshot, type NodeInfo, type PodInfo, buildSnapshot, assume, forget, nominate } from "./snapshot";
export type { FilterVerdict, ScoreEntry, SchedulingRecord } from "./record";
export { type ScheduleResult, scheduleOne, numFeasibleNodesToFind } from "./schedule-one";
export { SchedulingQueue, type ClusterEvent } from "./queue";

// batch/v1 tables: printJob (STATUS, COMPLETIONS, DURATION) and printCronJob.

import type { CronJob, Job } from "../objects/batch";
import { D } from "./descriptions";
import { age, arr, col, containerCells, formatLabelSelector, humanDuration, int, nameOf, NONE, parseTime, since, str } from "./format";
import type { Printer } from "./types";

const CONTAINERS = "Names of each container in the template.";
const IMAGES = "Images referenced by each container in the template.";

/** hasJobCondition: the first condition of the type decides. */
function jobCondition(job: Job, type: string): boolean {
  const c = arr(job.status?.conditions).find((x) => x?.type === type);
  return c?.status === "True";
}

export function jobStatus(job: Job): string {
  if (jobCondition(job, "Complete")) return "Complete";
  if (jobCondition(job, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (jobCondition(job, "Suspended")) return "Suspended";
  if (jobCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

export const jobPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Status", "string", "Status of the job."),
    col("Completions", "string", D.jobSucceeded),
    col("Duration", "string", "Time required to complete the job."),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
    col("Selector", "string", D.jobSelector, 1),
  ],
  cells(job: Job, now: number): unknown[] {
    const spec = job.spec ?? {};
    const succeeded = int(job.status?.succeeded);
    let completions: string;
    if (typeof spec.completions === "number") completions = `${succeeded}/${int(spec.completions)}`;
    else if (int(spec.parallelism) > 1) completions = `${succeeded}/1 of ${int(spec.parallelism)}`;
    else completions = `${succeeded}/1`;

    const start = parseTime(job.status?.startTime);
    const end = parseTime(job.status?.completionTime);
    let duration = "";
    if (start !== undefined) duration = end === undefined ? humanDuration(now - start) : humanDuration(end - start);

    const [names, images] = containerCells(spec.template?.spec);
    return [nameOf(job), jobStatus(job), completions, duration, age(job, now), names, images, formatLabelSelector(spec.selector)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Schedule", "string", D.cronSchedule),
    col("Timezone", "string", D.cronTimeZone),
    col("Suspend", "boolean", D.cronSuspend),
    col("Active", "integer", D.cronActive),
    col("Last Schedule", "string", D.cronLastSchedule),
    col("Age", "string", D.creationTimestamp),
    col("Containers", "string", CONTAINERS, 1),
    col("Images", "string", IMAGES, 1),
    col("Selector", "string", D.jobSelector, 1),
  ],
  cells(cj: CronJob, now: number): unknown[] {
    const spec = cj.spec ?? {};
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : NONE;
    // printBoolPtr; defaulting stores suspend=false, so an absent field prints as False.
    const suspend = spec.suspend === true ? "True" : "False";
    const jobSpec = spec.jobTemplate?.spec ?? {};
    const [names, images] = containerCells(jobSpec.template?.spec);
    return [
      nameOf(cj),
      str(spec.schedule),
      typeof spec.timeZone === "string" ? spec.timeZone : NONE,
      suspend,
      arr(cj.status?.active).length,
      last,
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

// The instructor's controls over the simulation: the clock (speed, pause, skipping ahead),
// kube-scheduler (its profile, whether it runs, its decisions) and kube-controller-manager
// (whether it runs). Each change sets the alarm and tells the pages.
import { errors } from "../control-plane/api-server/status";
import { validateProfile } from "../control-plane/scheduler";
import type { ControlLoop } from "./control-loop";
import { KUBECLASS } from "./refusal";

export interface ControlsDeps {
  loop: ControlLoop;
  /** After a change of settings: the alarm is set and every page hears of it. */
  changed(): Promise<void>;
  /** Pages re-read the settings (the clock) without a change to act on. */
  told(): void;
}

export class SimulationControls {
  constructor(private readonly d: ControlsDeps) {}

  clock() {
    return this.d.loop.clockState();
  }

  async setClock(change: { speed?: number; paused?: boolean }) {
    this.d.loop.setClock(change);
    await this.d.changed();
    return this.d.loop.clockState();
  }

  /** Moves simulated time forward, running everything due on the way (tests, "skip ahead"). */
  async advance(ms: number): Promise<number> {
    await this.d.loop.advance(ms);
    this.d.told(); // pages estimate the clock from its last reading
    return this.d.loop.now();
  }

  scheduler() {
    const { loop } = this.d;
    return { profile: loop.profile(), stopped: loop.scheduler.stopped, queue: loop.scheduler.queueStats(), stats: loop.scheduler.stats };
  }

  /** Changes the scheduling profile (a classroom setting); a wrong one is 422 with every problem. */
  async setSchedulerProfile(input: unknown) {
    const { profile, errors: problems } = validateProfile(input);
    if (!profile) throw errors.invalid(KUBECLASS("SchedulerProfile"), "", problems.map((message) => ({ reason: "FieldValueInvalid", message, field: "" })));
    this.d.loop.setProfile(profile);
    this.d.loop.due.at("scheduler", this.d.loop.now());
    await this.d.changed();
    return this.scheduler();
  }

  async setSchedulerStopped(stopped: boolean): Promise<void> {
    this.d.loop.setSchedulerStopped(stopped);
    await this.d.changed();
  }

  /** Stops or starts kube-controller-manager: nothing reconciles while it is stopped. */
  async setControllersStopped(stopped: boolean): Promise<{ running: boolean }> {
    this.d.loop.setControllersStopped(stopped);
    await this.d.changed();
    return { running: !stopped };
  }

  decisions(filter: { namespace?: string; name?: string; uid?: string }) {
    return this.d.loop.records(filter);
  }
}

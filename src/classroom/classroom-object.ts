// One classroom = one Durable Object = one cluster's control plane: etcd in its SQLite,
// kube-apiserver in front of it, kube-scheduler and kube-controller-manager on its alarm. Worker
// nodes are objects of their own, reached by RPC; the Worker forwards each API request here after
// routing. This file wires the parts together and is the object's RPC surface: each method hands
// on to the module of its concern. A method that may refuse returns a Result (refusal.ts).
import { DurableObject } from "cloudflare:workers";
import { mastersAuthorizer } from "../control-plane/api-server/auth";
import { classroomAuthorizer } from "../control-plane/api-server/classroom-authorizer";
import { nodeAuthorizer, unionAuthorizer } from "../control-plane/api-server/node-authorizer";
import { NODES, PODS } from "../control-plane/api-server/resources";
import { ApiServer } from "../control-plane/api-server/server";
import { Etcd, type Snapshot } from "../control-plane/etcd/store";
import { migrate, Sql } from "../control-plane/etcd/sql";
import type { ApiCall, ApiReply, ApiTextReply } from "../node/api-client";
import { CLASSROOM_MIGRATIONS, INSTRUCTOR, type ClassroomInfo, type ClassroomInit } from "./classroom-schema";
import { ControlLoop } from "./control-loop";
import { SimulationControls } from "./controls";
import { Credentials, TICKET_SECONDS } from "./credentials";
import { DataPlane, type ProxyInput } from "./data-plane";
import { NodeFleet } from "./fleet/fleet";
import { kubeletCalls } from "./fleet/kubelet-api";
import { nodeObjectName } from "./fleet/node-sizes";
import { FleetOps, type NodeOp } from "./fleet/operations";
import { ApiGateway } from "./gateway";
import { Lifecycle } from "./lifecycle";
import { LiveHub } from "./live";
import { liveSettings, liveStats, RequestMeter, roundSettings, studentNames, type ClassroomParts } from "./live-state";
import { settle } from "./refusal";
import { RoundRecorder } from "./rounds/recorder";
import { ClassroomSettings } from "./settings";
import { StudentAdmin } from "./student-admin";
import type { StudentQuota } from "./students";

export class ClassroomObject extends DurableObject<Env> {
  readonly sql: Sql;
  readonly etcd: Etcd;
  readonly api: ApiServer;
  readonly loop: ControlLoop;
  readonly fleet: NodeFleet;
  readonly creds: Credentials;
  readonly live: LiveHub;
  readonly rounds: RoundRecorder;
  private readonly settings: ClassroomSettings;
  private readonly meter = new RequestMeter();
  private readonly gateway: ApiGateway;
  private readonly dataPlane: DataPlane;
  private readonly machines: FleetOps;
  private readonly students: StudentAdmin;
  private readonly controls: SimulationControls;
  private readonly lifecycle: Lifecycle;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new Sql(ctx.storage as never);
    migrate(this.sql, "classroom", CLASSROOM_MIGRATIONS);
    this.settings = new ClassroomSettings(this.sql);
    this.etcd = new Etcd(this.sql);
    this.creds = new Credentials(this.sql);
    this.fleet = new NodeFleet(this.sql);
    this.api = new ApiServer(this.etcd, {
      authorizer: unionAuthorizer(mastersAuthorizer, nodeAuthorizer, classroomAuthorizer),
      now: () => new Date(this.loop.now()),
      logs: (req, pod) => this.dataPlane.podLogs(req, pod),
      metrics: () => this.dataPlane.metrics(),
    });
    const reg = this.api.registry;
    const now = () => new Date(this.loop.now());
    const id = () => this.settings.id ?? "";
    const changed = () => this.changed();
    const woke = () => this.woke();
    this.loop = new ControlLoop(this.sql, reg, this.etcd, {
      sync: async (node, at, hint) => this.node(node).sync(at, hint),
      running: () => this.fleet.running(),
      exists: (name) => this.fleet.get(name) !== undefined,
    }, ctx.storage);
    this.dataPlane = new DataPlane(this.fleet, reg, (name) => this.node(name), () => this.loop.now());
    this.rounds = new RoundRecorder(this.sql, this.etcd, {
      now: () => this.loop.now(),
      settings: () => roundSettings(this.parts()),
      state: () => ({ pods: reg.list(PODS, undefined).items, nodes: reg.list(NODES, undefined).items }),
      students: () => studentNames(reg),
      changed: () => this.live.settingsChanged(),
    });
    this.live = new LiveHub(ctx, this.etcd, { settings: () => liveSettings(this.parts()), stats: () => liveStats(this.parts()), touch: () => void woke() });
    // The simulation could not keep up and its clock was held back: pages re-read the clock.
    this.loop.onClockHeld = () => this.live.settingsChanged();
    this.gateway = new ApiGateway({ creds: this.creds, api: this.api, loop: this.loop, rounds: this.rounds, live: this.live, meter: this.meter, locked: () => this.settings.locked, woke });
    this.machines = new FleetOps({
      fleet: this.fleet, creds: this.creds, reg, loop: this.loop, node: (name) => this.node(name), classroomId: id,
      writer: () => ({ user: INSTRUCTOR, now: now() }), afterChange: changed,
    });
    this.students = new StudentAdmin({ sql: this.sql, reg, creds: this.creds, settings: this.settings, ctx, id, now, socketClosed: (ws) => this.live.onClose(ws), woke, changed });
    this.controls = new SimulationControls({ loop: this.loop, changed, told: () => this.live.settingsChanged() });
    this.lifecycle = new Lifecycle({ sql: this.sql, settings: this.settings, creds: this.creds, etcd: this.etcd, reg, loop: this.loop, machines: this.machines, changed, woke });
  }

  /** What pages show of the classroom (live-state.ts), read afresh each time. */
  private parts(): ClassroomParts {
    const s = this.settings;
    return {
      name: s.name, cloud: s.cloud, locked: s.locked, quota: s.studentQuota, loop: this.loop, fleet: this.fleet, etcd: this.etcd, reg: this.api.registry,
      meter: this.meter, dbBytes: this.ctx.storage.sql.databaseSize, round: this.rounds.store.current(), flow: this.flowStats(),
    };
  }

  private node(name: string) {
    return this.env.NODE.get(this.env.NODE.idFromName(nodeObjectName(this.settings.id ?? "", name)));
  }

  /** After a change of settings, machines or the clock: the alarm is set and every page hears of it. */
  private async changed(): Promise<void> {
    await this.loop.arm();
    this.live.settingsChanged();
  }

  /** After a change the control loop must act on, or a caller at the door: the clock runs and the alarm is set. */
  private async woke(): Promise<void> {
    this.loop.touch();
    await this.loop.arm();
  }

  // ---- the Durable Object's own entry points ---------------------------------------------------

  /** The Kubernetes API of this classroom (path already stripped of /clusters/<id>/...), or a live socket. */
  override fetch(request: Request): Promise<Response> { return this.gateway.handle(request); }
  override async alarm(): Promise<void> {
    this.loop.alarmFired();
    await this.loop.runDue();
  }
  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> { this.live.onMessage(ws, data); }
  override async webSocketClose(ws: WebSocket): Promise<void> { this.live.onClose(ws); }
  override async webSocketError(ws: WebSocket): Promise<void> { this.live.onClose(ws); }

  // ---- RPC (methods, not arrow properties: RPC reaches only what is on the prototype) -----------

  /** Creates the classroom once (create.ts: the Worker's createClassroom). */
  async init(init: ClassroomInit): Promise<ClassroomInfo> {
    await this.lifecycle.create(init);
    return this.info()!;
  }
  info(): ClassroomInfo | undefined { return this.settings.info(this.fleet.list().length); }
  /** Who a token belongs to here (a token of another classroom is unknown here); guesses are limited per client. */
  authenticate(token: string | null, client: string | null) { return settle(async () => (await this.creds.holder(token, client, Date.now())).who); }
  /** A single-use, 30-second ticket to open the live feed, for a member of the classroom. */
  liveTicket(token: string | null, client: string | null) {
    return settle(async () => ({ ticket: await this.creds.issueTicket(token, client, Date.now()), expiresInSeconds: TICKET_SECONDS }));
  }
  /** What admission of load did: admitted and shed requests (by reason), whether the object is behind. */
  flowStats() { return this.gateway.stats(); }
  /** Kubernetes API calls from a node's kubelet, batched into one round trip. */
  async apiBatch(token: string, calls: ApiCall[]): Promise<(ApiReply | ApiTextReply)[]> {
    const replies = await kubeletCalls(this, token, calls);
    await this.loop.arm();
    return replies;
  }

  // The cluster as a whole (lifecycle.ts).
  /** Lock: students can still read everything, but every write of theirs is refused. */
  setLocked(locked: boolean): { locked: boolean } {
    this.settings.locked = locked;
    this.live.settingsChanged();
    return { locked };
  }
  reset() { return this.lifecycle.reset(); }
  snapshot(): Snapshot { return this.etcd.snapshot(); }
  restore(snap: Snapshot) { return settle(() => this.lifecycle.restore(snap)); }

  // Students (student-admin.ts): join, list, cap, rotate the join link, remove, quota.
  /** A student joins: their namespace, a credential and a kubeconfig limited to their rights. */
  joinStudent(joinToken: string, name: unknown, origin: string, client: string | null) { return settle(() => this.students.join(joinToken, name, origin, client)); }
  studentList() { return this.students.list(); }
  setStudentLimit(max: unknown) { return settle(() => this.students.setLimit(max)); }
  rotateJoinToken(origin: string) { return this.students.rotateJoinToken(origin); }
  /** Credential, namespace and open pages go; the namespace controller then empties the namespace. */
  removeStudent(name: string) { return settle(() => this.students.remove(name)); }
  setStudentQuota(quota: StudentQuota) { return this.students.setQuota(quota); }

  // Machines (fleet/operations.ts) and requests through a node's kube-proxy (data-plane.ts).
  nodes() { return this.machines.list(); }
  nodeOp(op: NodeOp) { return settle(() => this.machines.op(op)); }
  /** Sends a request to a Service through the kube-proxy of the node it enters by; says which pod answered. */
  proxyRequest(input: ProxyInput) { return settle(() => this.dataPlane.proxyRequest(input)); }

  // Time, kube-scheduler and kube-controller-manager (controls.ts), for the instructor and tests.
  clock() { return this.controls.clock(); }
  setClock(change: { speed?: number; paused?: boolean }) { return this.controls.setClock(change); }
  /** Moves simulated time forward, running everything due on the way (tests, "skip ahead"). */
  advance(ms: number): Promise<number> { return this.controls.advance(ms); }
  schedulerProfile() { return this.controls.scheduler(); }
  setSchedulerProfile(input: unknown) { return settle(() => this.controls.setSchedulerProfile(input)); }
  setSchedulerStopped(stopped: boolean): Promise<void> { return this.controls.setSchedulerStopped(stopped); }
  setControllersStopped(stopped: boolean) { return this.controls.setControllersStopped(stopped); }
  schedulerRecords(filter: { namespace?: string; name?: string; uid?: string }) { return this.controls.decisions(filter); }

  // Rounds (rounds/recorder.ts).
  roundList() { return this.rounds.store.list(); }
  startRound(title: unknown, goal?: unknown) { return settle(() => this.rounds.start(title, goal)); }
  endRound() { return settle(() => this.rounds.end()); }
  roundOutcomes(n: number) { return settle(() => this.rounds.outcomes(n)); }
  roundOutcomesCsv(n: number) { return settle(() => this.rounds.outcomesCsv(n)); }
  roundReplay(n: number, at?: number) { return settle(() => this.rounds.replay(n, at)); }
}

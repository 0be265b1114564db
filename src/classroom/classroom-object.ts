// One classroom = one Durable Object = one cluster's control plane: etcd in its SQLite,
// kube-apiserver in front of it, kube-scheduler on its alarm. Worker nodes are objects of their
// own, reached by RPC; the Worker forwards each API request here after routing.
import { DurableObject } from "cloudflare:workers";
import { mastersAuthorizer } from "../control-plane/api-server/auth";
import { authError, Credentials, TICKET_SECONDS, type Who } from "./credentials";
import { StudentAdmin, type StudentList } from "./student-admin";
import { nodeAuthorizer, unionAuthorizer } from "../control-plane/api-server/node-authorizer";
import { classroomAuthorizer, STUDENT_PREFIX } from "../control-plane/api-server/classroom-authorizer";
import { RateLimiter } from "../control-plane/api-server/rate-limit";
import { callerOf, FlowControl, queueWaitMs, type Caller, type FlowStats } from "../control-plane/api-server/flow-control";
import { errorResponse } from "../control-plane/api-server/codec";
import { errors } from "../control-plane/api-server/status";
import { applyStudentQuota, type StudentJoin, type StudentQuota } from "./students";
import { NODES, PODS } from "../control-plane/api-server/resources";
import { ApiServer } from "../control-plane/api-server/server";
import { Etcd, type Snapshot } from "../control-plane/etcd/store";
import { KeyValueTable, migrate, Sql } from "../control-plane/etcd/sql";
import type { ApiCall, ApiReply, ApiTextReply } from "../node/api-client";
import type { RouteResult } from "../node/kube-proxy";
import { bootstrapCluster } from "./bootstrap";
import { validateProfile } from "../control-plane/scheduler";
import { ControlLoop } from "./control-loop";
import { NodeFleet } from "./fleet/fleet";
import { kubeletCalls } from "./fleet/kubelet-api";
import { FleetOps, type NodeOp } from "./fleet/operations";
import { DataPlane, type ProxyInput } from "./data-plane";
import { CLASSROOM_MIGRATIONS, INSTRUCTOR, LIVE_HOST, READ_METHODS, type ClassroomInfo, type ClassroomInit } from "./classroom-schema";
import { LiveHub } from "./live";
import { liveSettings, liveStats, RequestMeter, roundSettings, studentNames, type ClassroomParts } from "./live-state";
import { resetCluster } from "./reset";
import { RoundRecorder } from "./rounds/recorder";
import { outcomesToCsv } from "./rounds/export";
import type { Round } from "./rounds/types";
import { KUBECLASS, settle, type Result } from "./refusal";

export { CLIENT_HEADER, LIVE_HOST, TICKET_HEADER, TOKEN_HEADER, type ClassroomInfo, type ClassroomInit } from "./classroom-schema";

export class ClassroomObject extends DurableObject<Env> {
  readonly sql: Sql;
  private readonly settings: KeyValueTable;
  readonly etcd: Etcd;
  readonly api: ApiServer;
  readonly loop: ControlLoop;
  readonly fleet: NodeFleet;
  readonly creds: Credentials;
  private readonly students: StudentAdmin;
  private readonly limiter = new RateLimiter();
  /** Admission of load before any work (API Priority and Fairness); flowStats() reads its counts. */
  private readonly flow = new FlowControl();
  readonly live: LiveHub;
  readonly rounds: RoundRecorder;
  private readonly dataPlane: DataPlane;
  private readonly meter = new RequestMeter();
  private readonly machines: FleetOps;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new Sql(ctx.storage as never);
    migrate(this.sql, "classroom", CLASSROOM_MIGRATIONS);
    this.settings = new KeyValueTable(this.sql, "classroom");
    this.etcd = new Etcd(this.sql);
    this.creds = new Credentials(this.sql);
    this.fleet = new NodeFleet(this.sql);
    this.api = new ApiServer(this.etcd, {
      authorizer: unionAuthorizer(mastersAuthorizer, nodeAuthorizer, classroomAuthorizer),
      now: () => new Date(this.loop.now()),
      logs: (req, pod) => this.dataPlane.podLogs(req, pod),
      metrics: () => this.dataPlane.metrics(),
    });
    this.loop = new ControlLoop(this.sql, this.api.registry, this.etcd, {
      sync: async (node, now, hint) => this.nodeStub(node).sync(now, hint),
      running: () => this.fleet.running(),
      exists: (name) => this.fleet.get(name) !== undefined,
    }, ctx.storage);
    this.dataPlane = new DataPlane(this.fleet, this.api.registry, (name) => this.nodeStub(name), () => this.loop.now());
    this.rounds = new RoundRecorder(this.sql, this.etcd, () => this.loop.now());
    this.live = new LiveHub(ctx, this.etcd, {
      settings: () => liveSettings(this.parts()),
      stats: () => liveStats(this.parts()),
      touch: () => {
        this.loop.touch();
        void this.loop.arm();
      },
    });
    // The simulation could not keep up and its clock was held back: pages re-read the clock.
    this.loop.onClockHeld = () => this.live.settingsChanged();
    this.machines = new FleetOps({
      fleet: this.fleet, creds: this.creds, reg: this.api.registry, loop: this.loop,
      node: (name) => this.nodeStub(name), classroomId: () => this.info()!.id,
      writer: () => ({ user: INSTRUCTOR, now: new Date(this.loop.now()) }), afterChange: () => this.afterChange(),
    });
    this.students = new StudentAdmin({ sql: this.sql, reg: this.api.registry, creds: this.creds, ctx, id: () => this.info()!.id, now: () => new Date(this.loop.now()), quota: () => this.studentQuota(), socketClosed: (ws) => this.live.onClose(ws) });
  }

  private parts(): ClassroomParts {
    return {
      name: this.setting("name") ?? "", cloud: this.setting("cloud") !== "false", locked: this.setting("locked") === "true",
      quota: this.studentQuota(), loop: this.loop, fleet: this.fleet, etcd: this.etcd, reg: this.api.registry, meter: this.meter,
      dbBytes: this.ctx.storage.sql.databaseSize, round: this.rounds.store.current(), flow: this.flowStats(),
    };
  }

  private setting(key: string): string | undefined {
    return this.settings.text(key);
  }

  private saveSetting(key: string, value: string): void {
    this.settings.putText(key, value);
  }

  private nodeStub(name: string) {
    return this.env.NODE.get(this.env.NODE.idFromName(`${this.info()?.id}/${name}`));
  }

  /** Creates the classroom once; a second call for the same id is refused. */
  async init(init: ClassroomInit): Promise<ClassroomInfo> {
    if (this.settings.text("id") !== undefined) throw new Error("classroom already exists");
    const createdAt = new Date().toISOString();
    this.sql.transaction(() => {
      for (const [k, v] of Object.entries({ id: init.id, name: init.name, nodes: String(init.nodes), cloud: String(init.cloud ?? true), createdAt })) {
        this.settings.putText(k, v);
      }
      this.creds.add(init.instructorTokenHash, "instructor", INSTRUCTOR, createdAt);
      this.creds.add(init.joinTokenHash, "join", { username: "kubeclass:join", groups: [] }, createdAt);
    });
    if (init.speed) this.loop.setClock({ speed: init.speed });
    if (init.cloud === false) this.loop.setOnPremises();
    bootstrapCluster(this.api.registry, new Date(this.loop.now()));
    for (let i = 0; i < init.nodes; i++) await this.addNode({ size: init.size });
    return this.woken(this.info()!);
  }

  info(): ClassroomInfo | undefined {
    const rows = this.sql.all<{ key: string; value: string }>("SELECT key, value FROM classroom WHERE key IN ('id', 'name', 'nodes', 'createdAt')");
    if (rows.length === 0) return undefined;
    const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    return { id: m.id, name: m.name, nodes: this.fleet.list().length, createdAt: m.createdAt };
  }

  /** Who a token belongs to here (a token of another classroom is unknown here); guesses are limited per client. */
  authenticate(token: string | null, client: string | null): Promise<Result<Who>> {
    return settle(async () => (await this.creds.holder(token, client, Date.now())).who);
  }

  /** The Kubernetes API of this classroom (path already stripped of /clusters/<id>/...), or a live socket. */
  override async fetch(request: Request): Promise<Response> {
    // First: Date.now() moves only across I/O, and authentication may cross some. The wait is
    // how long the request stood in the platform's queue since the Worker stamped it.
    const received = Date.now();
    const waitMs = queueWaitMs(request.headers, received);
    const auth = await this.creds.fromHeaders(request.headers, received);
    if (auth && !auth.ok && auth.code === 429) return errorResponse(authError(auth));
    const who = auth?.ok ? auth.who : undefined;
    if (new URL(request.url).host === LIVE_HOST) return this.openLive(request, who);
    // Admission before any work, as kube-apiserver's priority and fairness: a shed request
    // touches nothing (no meter, no round record, no simulation); an admitted one runs to the end.
    const caller = callerOf(who);
    const admitted = this.flow.admit(caller, waitMs, received);
    if (!admitted.ok) return errorResponse(errors.tooManyRequests("Too many requests, please try again later.", admitted.retryAfterSeconds));
    // The join token lets a student sign up; it is not a cluster credential.
    const user = who && who.kind !== "join" ? who.user : undefined;
    this.meter.hit(Date.now());
    this.loop.touch();
    const res = await this.studentGate(request, who, caller) ?? await this.api.handle(request, user);
    // A round keeps what each student submitted and what was refused: part of its outcomes.
    if (who?.kind === "student") await this.rounds.request(who.user.username, request.method, res);
    await this.loop.arm();
    return res;
  }

  /** What a student meets before the API server: the rate limit and the instructor's lock. */
  private studentGate(request: Request, who: Who | undefined, caller: Caller): Response | undefined {
    if (who?.kind !== "student") return undefined;
    const taken = this.limiter.take(who.user.username, Date.now());
    if (!taken.ok) {
      this.flow.rateLimited(caller, Date.now());
      return errorResponse(errors.tooManyRequests("Too many requests, please try again later.", taken.retryAfterSeconds));
    }
    if (!READ_METHODS.has(request.method) && this.setting("locked") === "true")
      return errorResponse(errors.forbidden("submissions are locked by the instructor: you can look, but not change anything until they are unlocked"));
    return undefined;
  }

  /** What admission of load did: admitted and shed requests (by reason), whether the object is behind. */
  flowStats(): FlowStats {
    return this.flow.stats(Date.now());
  }

  // ---- live pages ----------------------------------------------------------------------------

  private openLive(request: Request, who: Who | undefined): Response {
    if (!who || (who.kind !== "instructor" && who.kind !== "student")) return errorResponse(errors.unauthorized());
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return errorResponse(errors.badRequest("this endpoint is a WebSocket"));
    const since = new URL(request.url).searchParams.get("since");
    const name = who.kind === "instructor" ? "instructor" : who.user.username.slice(STUDENT_PREFIX.length);
    this.loop.touch();
    void this.loop.arm();
    return this.live.accept({ name, role: who.kind, namespace: who.kind === "student" ? `student-${name}` : undefined }, since && /^\d+$/.test(since) ? Number(since) : undefined);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    this.live.onMessage(ws, data);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.live.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.live.onClose(ws);
  }

  /** Lock: students can still read everything, but every write of theirs is refused. */
  setLocked(locked: boolean): { locked: boolean } {
    this.saveSetting("locked", String(locked));
    this.live.settingsChanged();
    return { locked };
  }

  /** Everything anyone deployed goes; machines come back up, uncordoned; students stay. */
  async reset(): Promise<{ deleted: number }> {
    const deleted = resetCluster(this.etcd, (ns) => ns === "default" || ns.startsWith("student-"));
    this.machines.restoreAll();
    this.loop.touch();
    await this.afterChange();
    return { deleted };
  }

  // ---- rounds (sessions and outcomes) --------------------------------------------------------

  /** Starts or ends a round. */
  roundOp(op: { start: { title: unknown; goal?: unknown } } | { end: true }): Promise<Result<Round>> {
    return settle(() => {
      const reg = this.api.registry;
      const round = "start" in op
        ? this.rounds.start({ ...op.start, settings: roundSettings(this.parts()), state: { pods: reg.list(PODS, undefined).items, nodes: reg.list(NODES, undefined).items } })
        : this.rounds.end(studentNames(this.api.registry));
      this.live.settingsChanged();
      return round;
    });
  }

  roundList(): Round[] {
    return this.rounds.store.list();
  }

  roundOutcomes(n: number) {
    return settle(() => this.rounds.outcomes(n, this.loop.now(), studentNames(this.api.registry)).outcomes);
  }

  roundOutcomesCsv(n: number) {
    return settle(() => outcomesToCsv(this.rounds.outcomes(n, this.loop.now(), studentNames(this.api.registry)).outcomes));
  }

  roundReplay(n: number, at?: number) {
    return settle(() => this.rounds.replay(n, at, this.loop.now()));
  }

  /** Kubernetes API calls from a node's kubelet, batched into one round trip. */
  async apiBatch(token: string, calls: ApiCall[]): Promise<(ApiReply | ApiTextReply)[]> {
    const replies = await kubeletCalls(this, token, calls);
    await this.loop.arm();
    return replies;
  }

  override async alarm(): Promise<void> {
    this.loop.alarmFired();
    await this.loop.runDue();
  }

  // ---- students ----------------------------------------------------------------------------

  /** A student joins: their namespace, a credential and a kubeconfig limited to their rights. */
  joinStudent(joinToken: string, name: unknown, origin: string, client: string | null): Promise<Result<StudentJoin>> {
    return settle(async () => this.woken(await this.students.join(joinToken, name, origin, client)));
  }

  // The instructor's hold over who is in (student-admin.ts): list, cap, rotate, remove.
  // (Methods, not arrow properties: RPC reaches only what is on the prototype.)
  studentList(): StudentList { return this.students.list(); }
  setStudentLimit(max: unknown) { return settle(() => this.students.setLimit(max)); }
  rotateJoinToken(origin: string) { return this.students.rotateJoinToken(origin); }
  /** Credential, namespace and open pages go; the namespace controller then empties the namespace. */
  removeStudent(name: string) { return settle(() => this.woken(this.students.remove(name))); }
  /** A single-use, 30-second ticket to open the live feed, for a member of the classroom. */
  liveTicket(token: string | null, client: string | null) {
    return settle(async () => ({ ticket: await this.creds.issueTicket(token, client, Date.now()), expiresInSeconds: TICKET_SECONDS }));
  }

  /** After a change of settings, machines or the clock: the alarm is set and every page hears of it. */
  private async afterChange(): Promise<void> {
    await this.loop.arm();
    this.live.settingsChanged();
  }

  /** After a change the control loop must act on: the clock runs and the alarm is set. */
  private async woken<T>(result: T): Promise<T> {
    this.loop.touch();
    await this.loop.arm();
    return result;
  }

  studentQuota(): StudentQuota {
    return JSON.parse(this.setting("studentQuota") ?? "{}") as StudentQuota;
  }

  /** The instructor's per-student quota: stored for new students, applied to every current one. */
  async setStudentQuota(q: StudentQuota): Promise<{ quota: StudentQuota; students: number }> {
    this.saveSetting("studentQuota", JSON.stringify(q));
    const students = applyStudentQuota(this.api.registry, q, new Date(this.loop.now()));
    await this.afterChange();
    return { quota: q, students };
  }

  // ---- nodes -------------------------------------------------------------------------------

  // Machines (fleet/operations.ts).
  nodeOp(op: NodeOp): Promise<Result<{ name: string }>> { return settle(() => this.machines.op(op)); }
  addNode(opts: { name?: string; size?: string }): Promise<{ name: string }> { return this.machines.add(opts); }
  removeNode(name: string): Promise<void> { return this.machines.remove(name); }
  nodes() { return this.machines.list(); }

  /** Sends a request to a Service through the kube-proxy of the node it enters by; says which pod answered. */
  proxyRequest(input: ProxyInput): Promise<Result<RouteResult>> {
    return settle(() => this.dataPlane.proxyRequest(input));
  }

  // ---- time and the scheduler (instructor and tests) -----------------------------------------

  /** Moves simulated time forward, running everything due on the way (tests, "skip ahead"). */
  async advance(ms: number): Promise<number> {
    await this.loop.advance(ms);
    this.live.settingsChanged(); // pages estimate the clock from its last reading
    return this.loop.now();
  }

  clock() {
    return this.loop.clockState();
  }

  async setClock(change: { speed?: number; paused?: boolean }) {
    this.loop.setClock(change);
    await this.afterChange();
    return this.loop.clockState();
  }

  schedulerRecords(filter: { namespace?: string; name?: string; uid?: string }) {
    return this.loop.records(filter);
  }

  schedulerProfile() {
    return { profile: this.loop.profile(), stopped: this.loop.scheduler.stopped, queue: this.loop.scheduler.queueStats(), stats: this.loop.scheduler.stats };
  }

  /** Changes the scheduling profile (a classroom setting). */
  setSchedulerProfile(input: unknown) {
    return settle(async () => {
      const { profile, errors: problems } = validateProfile(input);
      if (!profile) throw errors.invalid(KUBECLASS("SchedulerProfile"), "", problems.map((message) => ({ reason: "FieldValueInvalid", message, field: "" })));
      this.loop.setProfile(profile);
      this.loop.due.at("scheduler", this.loop.now());
      await this.afterChange();
      return this.schedulerProfile();
    });
  }

  /** Stops or starts kube-controller-manager: nothing reconciles while it is stopped. */
  async setControllersStopped(stopped: boolean): Promise<{ running: boolean }> {
    this.loop.setControllersStopped(stopped);
    await this.afterChange();
    return { running: !stopped };
  }

  async setSchedulerStopped(stopped: boolean): Promise<void> {
    this.loop.setSchedulerStopped(stopped);
    await this.afterChange();
  }

  snapshot(): Snapshot {
    return this.etcd.snapshot();
  }

  /** Replaces the keyspace with a snapshot; a bad one is refused (400) with what was wrong. */
  restore(snap: Snapshot): Promise<Result<{ revision: number }>> {
    return settle(async () => {
      try {
        const revision = this.etcd.restore(snap);
        this.loop.forgetNodePods();
        // Every watch was closed: the scheduler and controllers relist now, not at the next request.
        this.loop.touch();
        await this.loop.runDue();
        return { revision };
      } catch (e) {
        throw errors.badRequest(`cannot restore: ${(e as Error).message}`);
      }
    });
  }
}

// The door of a classroom's Kubernetes API, the filters in kube-apiserver's order: who the caller
// is (the credential or live-feed ticket the Worker handed over), admission of load (API Priority
// and Fairness), then what a student meets (their rate limit, the instructor's lock), then the API
// server. A round keeps what each student submitted and what was refused. The live feed's sockets
// come in by the same door (the Worker asks for them with the host LIVE_HOST).
import { STUDENT_PREFIX } from "../control-plane/api-server/classroom-authorizer";
import { errorResponse } from "../control-plane/api-server/codec";
import { callerOf, FlowControl, queueWaitMs, type Caller, type FlowStats } from "../control-plane/api-server/flow-control";
import { RateLimiter } from "../control-plane/api-server/rate-limit";
import type { ApiServer } from "../control-plane/api-server/server";
import { errors } from "../control-plane/api-server/status";
import { LIVE_HOST, READ_METHODS } from "./classroom-schema";
import type { ControlLoop } from "./control-loop";
import { authError, type Credentials, type Who } from "./credentials";
import type { LiveHub } from "./live";
import type { RequestMeter } from "./live-state";
import type { RoundRecorder } from "./rounds/recorder";

export interface GatewayDeps {
  creds: Credentials;
  api: ApiServer;
  loop: ControlLoop;
  rounds: RoundRecorder;
  live: LiveHub;
  meter: RequestMeter;
  /** Whether the instructor has locked students' writes. */
  locked(): boolean;
  /** Someone at the door the control loop must act for: the clock runs and the alarm is set. */
  woke(): Promise<void>;
}

export class ApiGateway {
  private readonly limiter = new RateLimiter();
  /** Admission of load before any work; stats() reads its counts. */
  private readonly flow = new FlowControl();

  constructor(private readonly d: GatewayDeps) {}

  async handle(request: Request): Promise<Response> {
    // First: Date.now() moves only across I/O, and authentication may cross some. The wait is
    // how long the request stood in the platform's queue since the Worker stamped it.
    const received = Date.now();
    const waitMs = queueWaitMs(request.headers, received);
    const auth = await this.d.creds.fromHeaders(request.headers, received);
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
    this.d.meter.hit(Date.now());
    this.d.loop.touch();
    const res = await this.studentGate(request, who, caller) ?? await this.d.api.handle(request, user);
    // A round keeps what each student submitted and what was refused: part of its outcomes.
    if (who?.kind === "student") await this.d.rounds.request(who.user.username, request.method, res);
    await this.d.loop.arm();
    return res;
  }

  /** What admission of load did: admitted and shed requests (by reason), whether the object is behind. */
  stats(): FlowStats {
    return this.flow.stats(Date.now());
  }

  /** What a student meets before the API server: the rate limit and the instructor's lock. */
  private studentGate(request: Request, who: Who | undefined, caller: Caller): Response | undefined {
    if (who?.kind !== "student") return undefined;
    const taken = this.limiter.take(who.user.username, Date.now());
    if (!taken.ok) {
      this.flow.rateLimited(caller, Date.now());
      return errorResponse(errors.tooManyRequests("Too many requests, please try again later.", taken.retryAfterSeconds));
    }
    if (!READ_METHODS.has(request.method) && this.d.locked())
      return errorResponse(errors.forbidden("submissions are locked by the instructor: you can look, but not change anything until they are unlocked"));
    return undefined;
  }

  /** A page of the instructor or a student opens the live feed. */
  private openLive(request: Request, who: Who | undefined): Response {
    if (!who || (who.kind !== "instructor" && who.kind !== "student")) return errorResponse(errors.unauthorized());
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return errorResponse(errors.badRequest("this endpoint is a WebSocket"));
    const since = new URL(request.url).searchParams.get("since");
    const name = who.kind === "instructor" ? "instructor" : who.user.username.slice(STUDENT_PREFIX.length);
    void this.d.woke();
    return this.d.live.accept({ name, role: who.kind, namespace: who.kind === "student" ? `student-${name}` : undefined }, since && /^\d+$/.test(since) ? Number(since) : undefined);
  }
}

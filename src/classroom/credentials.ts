// Who a request is: the classroom's credentials (only their SHA-256 is stored), a bounded cache of
// the ones in use, a limit on failed authentications per client, and the live feed's tickets.
import { hashToken, randomToken, type UserInfo } from "../control-plane/api-server/auth";
import { RateLimiter } from "../control-plane/api-server/rate-limit";
import { errors, type ApiError } from "../control-plane/api-server/status";
import type { Sql } from "../control-plane/etcd/sql";
import { CLIENT_HEADER, TICKET_HEADER, TOKEN_HEADER } from "./classroom-schema";

export interface Who { kind: string; user: UserInfo }
export type Authn = { ok: true; who: Who; hash: string } | AuthnFailure;
export type AuthnFailure = { ok: false; code: 401 } | { ok: false; code: 429; retryAfterSeconds: number };

/** Known credentials kept in memory; unknown ones are never cached (strangers must not fill it). */
export const CACHE_MAX = 1_000;
/** Failed authentications per client: 10 at once, then one every 6 s (10 a minute). */
export const FAILURE_RATE = { perSecond: 10 / 60, burst: 10 };
/** Client addresses whose failures are remembered at most (least recently seen forgotten first). */
export const FAILURE_CLIENTS_MAX = 10_000;
/** Clients without an address (local runs, RPC from tests) share one bucket. */
export const NO_CLIENT = "-";
export const TICKET_SECONDS = 30;
/** Outstanding tickets per classroom at most; the oldest is dropped first. */
export const TICKETS_MAX = 1_000;

/** A least-recently-used map of bounded size. */
export class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(readonly max: number) {}
  get size(): number {
    return this.m.size;
  }
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
  delete(k: string): void {
    this.m.delete(k);
  }
  clear(): void {
    this.m.clear();
  }
  values(): IterableIterator<V> {
    return this.m.values();
  }
}

/**
 * Single-use, short-lived permissions to open the live feed. A WebSocket from a browser cannot
 * carry a header, so something must ride in its URL; a ticket is worth having in a log for 30 s
 * at most, once, and only its hash is kept. It names the credential it was issued for, which is
 * checked again when it is used (a student removed meanwhile cannot use theirs).
 */
export class TicketBook {
  private readonly byHash = new Map<string, { credential: string; expires: number }>();

  get size(): number {
    return this.byHash.size;
  }

  async issue(credentialHash: string, nowMs: number): Promise<string> {
    for (const [h, t] of this.byHash) if (t.expires <= nowMs) this.byHash.delete(h);
    while (this.byHash.size >= TICKETS_MAX) this.byHash.delete(this.byHash.keys().next().value as string);
    const ticket = randomToken();
    this.byHash.set(await hashToken(ticket), { credential: credentialHash, expires: nowMs + TICKET_SECONDS * 1000 });
    return ticket;
  }

  /** The credential hash the ticket stands for, once; an expired, used or unknown ticket is nothing. */
  async redeem(ticket: string, nowMs: number): Promise<string | undefined> {
    const h = await hashToken(ticket);
    const t = this.byHash.get(h);
    this.byHash.delete(h);
    return t && t.expires > nowMs ? t.credential : undefined;
  }
}

export class Credentials {
  private readonly cache = new Lru<Who>(CACHE_MAX);
  readonly failures = new RateLimiter(FAILURE_RATE, FAILURE_CLIENTS_MAX);
  readonly tickets = new TicketBook();

  constructor(private readonly sql: Sql) {}

  /** Credentials held in memory now (at most CACHE_MAX). */
  get cachedCount(): number {
    return this.cache.size;
  }

  add(hash: string, kind: string, user: UserInfo, at: string): void {
    this.sql.run("INSERT INTO credentials (token_hash, kind, username, groups, created_at) VALUES (?, ?, ?, ?, ?)", hash, kind, user.username, JSON.stringify(user.groups), at);
  }

  /** The holders of one kind of credential (students, say), oldest first. */
  holders(kind: string): { username: string; createdAt: string }[] {
    return this.sql.all<{ username: string; created_at: string }>("SELECT username, created_at FROM credentials WHERE kind = ? ORDER BY created_at, username", kind)
      .map((r) => ({ username: r.username, createdAt: r.created_at }));
  }

  count(kind: string): number {
    return this.sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM credentials WHERE kind = ?", kind)?.n ?? 0;
  }

  holds(kind: string, username: string): boolean {
    return this.sql.one("SELECT 1 AS x FROM credentials WHERE kind = ? AND username = ?", kind, username) !== undefined;
  }

  /** A person's credential of that kind stops working at once (false: they had none). */
  revokeHolder(kind: string, username: string): boolean {
    if (!this.holds(kind, username)) return false;
    this.sql.run("DELETE FROM credentials WHERE kind = ? AND username = ?", kind, username);
    this.forget();
    return true;
  }

  /** The one credential of a kind (the join token) replaced: the old one stops working at once. */
  replace(hash: string, kind: string, user: UserInfo, at: string): void {
    this.sql.transaction(() => {
      this.sql.run("DELETE FROM credentials WHERE kind = ?", kind);
      this.add(hash, kind, user, at);
    });
    this.forget();
  }

  /** The credential stops working at once: its row goes, and nothing cached outlives it. */
  revoke(hash: string): void {
    this.sql.run("DELETE FROM credentials WHERE token_hash = ?", hash);
    this.cache.delete(hash);
  }

  /** A credential's holder by its hash, from memory or SQLite; unknown hashes are not remembered. */
  byHash(hash: string): Who | undefined {
    const hit = this.cache.get(hash);
    if (hit) return hit;
    const row = this.sql.one<{ kind: string; username: string; groups: string }>("SELECT kind, username, groups FROM credentials WHERE token_hash = ?", hash);
    if (!row) return undefined;
    const who = { kind: row.kind, user: { username: row.username, groups: JSON.parse(row.groups) as string[] } };
    this.cache.set(hash, who);
    return who;
  }

  /** Internal callers (node objects over RPC): no client to limit. */
  async lookup(token: string | null): Promise<Who | undefined> {
    return token ? this.byHash(await hashToken(token)) : undefined;
  }

  /**
   * A caller's credential, limiting guesses per client address. A credential in use (cached) is
   * always accepted, so a classroom behind one address is not locked out by one mistyped
   * kubeconfig; an unknown one costs the client a token of its failure budget, and once that is
   * spent nothing uncached is even looked up until it refills (429 with Retry-After).
   */
  async authenticate(token: string, client: string | null, nowMs: number): Promise<Authn> {
    const hash = await hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return { ok: true, who: cached, hash };
    return this.checked(client, nowMs, () => {
      const who = this.byHash(hash);
      return who ? { ok: true, who, hash } : undefined;
    });
  }

  /** A live-feed ticket, under the same limit on failures as a credential. */
  async redeemTicket(ticket: string, client: string | null, nowMs: number): Promise<Authn> {
    const blocked = this.failures.check(client || NO_CLIENT, nowMs);
    if (!blocked.ok) return { ok: false, code: 429, retryAfterSeconds: blocked.retryAfterSeconds };
    const credential = await this.tickets.redeem(ticket, nowMs);
    return this.checked(client, nowMs, () => {
      const who = credential ? this.byHash(credential) : undefined;
      return who && credential ? { ok: true, who, hash: credential } : undefined;
    });
  }

  private checked(client: string | null, nowMs: number, find: () => Authn | undefined): Authn {
    const key = client || NO_CLIENT;
    const before = this.failures.check(key, nowMs);
    if (!before.ok) return { ok: false, code: 429, retryAfterSeconds: before.retryAfterSeconds };
    const found = find();
    if (found) return found;
    const after = this.failures.take(key, nowMs);
    return after.ok ? { ok: false, code: 401 } : { ok: false, code: 429, retryAfterSeconds: after.retryAfterSeconds };
  }

  /**
   * The caller of a request the Worker forwarded: a live-feed ticket or a credential in the
   * Worker's headers (never a client's: the Worker replaces them), limited per client address.
   */
  async fromHeaders(h: Headers, nowMs: number): Promise<Authn | undefined> {
    const ticket = h.get(TICKET_HEADER);
    const token = h.get(TOKEN_HEADER);
    const client = h.get(CLIENT_HEADER);
    return ticket ? this.redeemTicket(ticket, client, nowMs) : token ? this.authenticate(token, client, nowMs) : undefined;
  }

  /** The holder of a credential; refused (thrown) with 401, or 429 once the client's failures are spent. */
  async holder(token: string | null, client: string | null, nowMs: number): Promise<{ who: Who; hash: string }> {
    if (!token) throw errors.unauthorized();
    const auth = await this.authenticate(token, client, nowMs);
    if (!auth.ok) throw authError(auth);
    return auth;
  }

  /** A live-feed ticket for the instructor or a student; 403 for the join token. */
  async issueTicket(token: string | null, client: string | null, nowMs: number): Promise<string> {
    const { who, hash } = await this.holder(token, client, nowMs);
    if (who.kind !== "instructor" && who.kind !== "student") throw errors.forbidden("only the instructor and students may open the live feed");
    return this.tickets.issue(hash, nowMs);
  }

  /** After credentials are removed or replaced: nothing cached may outlive its row. */
  forget(): void {
    this.cache.clear();
  }
}

/** A failed authentication as the API answers it. */
export function authError(a: AuthnFailure): ApiError {
  return a.code === 429 ? errors.tooManyRequests("Too many failed authentication attempts, please try again later.", a.retryAfterSeconds) : errors.unauthorized();
}

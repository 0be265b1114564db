// One classroom = one Durable Object = one cluster's control plane: etcd in its SQLite,
// kube-apiserver in front of it. The Worker forwards each API request here after routing.
import { DurableObject } from "cloudflare:workers";
import type { UserInfo } from "../control-plane/api-server/auth";
import { hashToken } from "../control-plane/api-server/auth";
import { ApiServer } from "../control-plane/api-server/server";
import { Etcd, type Snapshot } from "../control-plane/etcd/store";
import { migrate, Sql } from "../control-plane/etcd/sql";
import { bootstrapCluster } from "./bootstrap";

export interface ClassroomInit {
  id: string;
  name: string;
  nodes: number;
  instructorTokenHash: string;
  joinTokenHash: string;
}

export interface ClassroomInfo {
  id: string;
  name: string;
  nodes: number;
  createdAt: string;
}

/** Header the Worker uses to hand over the caller's credential; never accepted from outside. */
export const TOKEN_HEADER = "x-kubeclass-token";

const MIGRATIONS = [
  {
    version: 1,
    statements: [
      "CREATE TABLE classroom (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE credentials (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL, groups TEXT NOT NULL, created_at TEXT NOT NULL)",
    ],
  },
];

const INSTRUCTOR: UserInfo = { username: "kubeclass:instructor", groups: ["system:masters", "system:authenticated"] };

export class ClassroomObject extends DurableObject {
  readonly sql: Sql;
  readonly etcd: Etcd;
  readonly api: ApiServer;
  private readonly users = new Map<string, { kind: string; user: UserInfo } | null>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = new Sql(ctx.storage as never);
    migrate(this.sql, "classroom", MIGRATIONS);
    this.etcd = new Etcd(this.sql);
    this.api = new ApiServer(this.etcd);
  }

  /** Creates the classroom once; a second call for the same id is refused. */
  async init(init: ClassroomInit): Promise<ClassroomInfo> {
    if (this.sql.one("SELECT value FROM classroom WHERE key = 'id'")) throw new Error("classroom already exists");
    const createdAt = new Date().toISOString();
    this.sql.transaction(() => {
      for (const [k, v] of Object.entries({ id: init.id, name: init.name, nodes: String(init.nodes), createdAt })) {
        this.sql.run("INSERT INTO classroom (key, value) VALUES (?, ?)", k, v);
      }
      this.sql.run("INSERT INTO credentials (token_hash, kind, username, groups, created_at) VALUES (?, 'instructor', ?, ?, ?)",
        init.instructorTokenHash, INSTRUCTOR.username, JSON.stringify(INSTRUCTOR.groups), createdAt);
      this.sql.run("INSERT INTO credentials (token_hash, kind, username, groups, created_at) VALUES (?, 'join', 'kubeclass:join', '[]', ?)",
        init.joinTokenHash, createdAt);
    });
    bootstrapCluster(this.api.registry, new Date(createdAt));
    return this.info()!;
  }

  info(): ClassroomInfo | undefined {
    const rows = this.sql.all<{ key: string; value: string }>("SELECT key, value FROM classroom");
    if (rows.length === 0) return undefined;
    const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    return { id: m.id, name: m.name, nodes: Number(m.nodes), createdAt: m.createdAt };
  }

  /** Who a token belongs to here, if anyone: a token of another classroom is unknown here. */
  async whoami(token: string | null): Promise<{ kind: string; user: UserInfo } | undefined> {
    if (!token) return undefined;
    const hash = await hashToken(token);
    if (!this.users.has(hash)) {
      const row = this.sql.one<{ kind: string; username: string; groups: string }>("SELECT kind, username, groups FROM credentials WHERE token_hash = ?", hash);
      this.users.set(hash, row ? { kind: row.kind, user: { username: row.username, groups: JSON.parse(row.groups) } } : null);
    }
    return this.users.get(hash) ?? undefined;
  }

  /** The Kubernetes API of this classroom (path already stripped of /clusters/<id>/...). */
  override async fetch(request: Request): Promise<Response> {
    const who = await this.whoami(request.headers.get(TOKEN_HEADER));
    // The join token lets a student sign up; it is not a cluster credential.
    const user = who && who.kind !== "join" ? who.user : undefined;
    return this.api.handle(request, user);
  }

  snapshot(): Snapshot {
    return this.etcd.snapshot();
  }

  restore(snap: Snapshot): { revision: number } {
    return { revision: this.etcd.restore(snap) };
  }
}

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { Sql } from "../../src/control-plane/etcd/sql";

let counter = 0;
/** A fresh classroom Durable Object per call, so every test owns its storage. */
export function freshClassroomStub(label = "t"): DurableObjectStub {
  const ns = (env as any).CLASSROOM as DurableObjectNamespace;
  return ns.get(ns.idFromName(`${label}-${Date.now()}-${counter++}-${Math.random()}`));
}

/** Runs fn with a Sql helper over a fresh object's SQLite storage. */
export async function withSql<T>(fn: (sql: Sql) => T | Promise<T>): Promise<T> {
  return runInDurableObject(freshClassroomStub("sql"), async (_instance: unknown, state: DurableObjectState) => fn(new Sql(state.storage as any)));
}

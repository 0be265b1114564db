import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
it("reaches the classroom object over RPC", async () => {
  const stub = (env as any).CLASSROOM.get((env as any).CLASSROOM.idFromName("smoke"));
  expect(await stub.ping()).toBe("pong");
});

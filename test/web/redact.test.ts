// `npm start` shows wrangler dev's output through scripts/redact.mjs: over plain HTTP the kubeconfig's
// token is in every request path wrangler logs, and it must never reach the terminal.
import { describe, expect, it } from "vitest";
import { pipeRedacted, redact } from "../../scripts/redact.mjs";

const ID = "0123456789abcdef0123456789abcdef";
const TOKEN = "Zm9vYmFy_-0123456789abcdefghijklmnopqrstuvwxyzAB";
const ESC = "\x1b";

describe("redacting wrangler dev's output", () => {
  it("hides the token in a request path, keeping the colours around it", () => {
    // As miniflare prints a request: bold method, plain path, coloured status, grey time.
    const line = `[wrangler:info] ${ESC}[1mGET${ESC}[22m /clusters/${ID}/auth/${TOKEN}/api/v1/namespaces/default/pods ${ESC}[32m${ESC}[1m200${ESC}[22m OK ${ESC}[39m${ESC}[90m(12ms)${ESC}[39m`;
    const out = redact(line);
    expect(out).not.toContain(TOKEN);
    expect(out).toBe(line.replace(TOKEN, "<redacted>"));
    // A token that ends the path, right before a colour code or a space.
    expect(redact(`GET /clusters/${ID}/auth/${TOKEN}${ESC}[0m`)).toBe(`GET /clusters/${ID}/auth/<redacted>${ESC}[0m`);
    expect(redact(`GET /clusters/${ID}/auth/${TOKEN} 200 OK`)).toBe(`GET /clusters/${ID}/auth/<redacted> 200 OK`);
  });

  it("hides ?token=, ?ticket= and anything a client put in the token's place", () => {
    expect(redact(`GET /api/classrooms/${ID}/live?since=12&token=${TOKEN} 101`)).toBe(`GET /api/classrooms/${ID}/live?since=12&token=<redacted> 101`);
    expect(redact(`GET /api/classrooms/${ID}/live?ticket=${TOKEN}&since=3`)).toBe(`GET /api/classrooms/${ID}/live?ticket=<redacted>&since=3`);
    expect(redact(`GET /clusters/${ID}/auth/not%20a%20token!/version`)).toBe(`GET /clusters/${ID}/auth/<redacted>/version`);
    expect(redact(`open http://127.0.0.1:8787/classroom/${ID}#instructor=${TOKEN}`)).not.toContain(TOKEN);
  });

  it("leaves every other line as it was", () => {
    for (const line of ["⎔ Starting local server...", `[wrangler:info] Ready on http://127.0.0.1:8787`, `POST /api/classrooms 201 Created (80ms)`, `GET /clusters/${ID}/api/v1/pods 200 OK`, ""])
      expect(redact(line)).toBe(line);
  });

  it("pipes line by line: a token split across two chunks is still hidden; partial lines are shown after a moment", async () => {
    const handlers: Record<string, (x: string) => void> = {};
    const input = { setEncoding: () => input, on: (e: string, f: (x: string) => void) => { handlers[e] = f; return input; } };
    let written = "";
    pipeRedacted(input, { write: (t: string) => { written += t; } });
    handlers.data(`GET /clusters/${ID}/auth/${TOKEN.slice(0, 10)}`);
    handlers.data(`${TOKEN.slice(10)}/api 200 OK\nready> `);
    expect(written).toBe(`GET /clusters/${ID}/auth/<redacted>/api 200 OK\n`);
    await new Promise((r) => setTimeout(r, 150));
    expect(written.endsWith("ready> ")).toBe(true);
    handlers.data(`GET /x?token=${TOKEN}`);
    handlers.end("");
    expect(written).not.toContain(TOKEN);
    expect(written.endsWith("token=<redacted>")).toBe(true);
  });
});

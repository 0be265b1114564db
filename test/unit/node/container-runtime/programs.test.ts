import { describe, expect, it } from "vitest";
import { piDigits } from "../../../../src/node/container-runtime/programs";
import { interpretScript } from "../../../../src/node/container-runtime/shell";
import { behaviourOf } from "../../../../src/node/container-runtime/behaviour";

describe("simulated programs", () => {
  it("perl's bpi prints real digits of π (the docs' Job example)", () => {
    expect(piDigits(10)).toBe("3.1415926535");
    expect(piDigits(50)).toBe("3.14159265358979323846264338327950288419716939937510");
    const p = piDigits(2000);
    expect(p).toHaveLength(2002);
    // More places only extend the same expansion (the guard digits keep earlier ones exact).
    expect(piDigits(2100).startsWith(p)).toBe(true);
  });
});

describe("cpu burners people put in pods", () => {
  const sh = (script: string) => interpretScript(script, { env: {}, hostname: "h", flavor: "busybox" });
  it("`yes > /dev/null` and `cat /dev/urandom > /dev/null` run forever on a busy core, printing nothing", () => {
    for (const script of ["yes > /dev/null", "cat /dev/urandom > /dev/null", "cat /dev/zero"]) {
      const tl = sh(script);
      expect(tl.exitAtMs).toBeNull();
      expect(tl.busy).toBe(true);
      expect(tl.logs).toEqual([]);
      expect(tl.periodic).toEqual([]);
    }
  });

  it("`yes` to the log prints its line (kept once a second), and `yes` as the command does the same", () => {
    const tl = sh("yes hello");
    expect(tl.busy).toBe(true);
    expect(tl.periodic).toEqual([{ fromMs: 0, periodMs: 1000, lines: [{ offsetMs: 0, text: "hello" }] }]);
    const b = behaviourOf({ family: "shell", tag: "latest", entrypoint: [], imageCmd: [], command: ["yes"], env: {}, stdin: false, hostname: "h", namespace: "default", memoryLimitBytes: null, cpuLimitMillis: null });
    expect(b.exitAtMs).toBeNull();
    expect(b.cpu.millis).toBe(1000);
    expect(b.periodic[0].lines[0].text).toBe("y");
  });
});

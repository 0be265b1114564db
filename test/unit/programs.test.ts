import { describe, expect, it } from "vitest";
import { piDigits } from "../../src/node/container-runtime/programs";

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

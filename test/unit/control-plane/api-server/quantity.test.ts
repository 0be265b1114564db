import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBytes, formatCpuMillis, hasSubMilliPrecision, parseQuantity } from "../../../../src/control-plane/api-server/quantity";

describe("parseQuantity", () => {
  // [input, value in base units, millis]
  const valid: [string | number, number, number][] = [
    ["100m", 0.1, 100],
    ["0.5", 0.5, 500],
    ["1", 1, 1000],
    ["2", 2, 2000],
    ["1.5Gi", 1.5 * 1024 ** 3, 1.5 * 1024 ** 3 * 1000],
    ["128974848", 128974848, 128974848000],
    ["129e6", 129e6, 129e9],
    ["129M", 129e6, 129e9],
    ["123Mi", 123 * 1024 ** 2, 123 * 1024 ** 2 * 1000],
    ["1e-3", 0.001, 1],
    ["1E-2", 0.01, 10],
    ["1e3", 1000, 1e6],
    ["-1", -1, -1000],
    ["+1", 1, 1000],
    ["1Ki", 1024, 1024000],
    ["1k", 1000, 1e6],
    ["1E", 1e18, 1e21],
    ["2Ei", 2 * 1024 ** 6, 2 * 1024 ** 6 * 1000],
    ["500n", 5e-7, 1], // rounds up to the next milli, as MilliValue does
    ["3u", 3e-6, 1],
    [".5", 0.5, 500],
    ["5.", 5, 5000],
    ["0", 0, 0],
    ["0.29", 0.29, 290], // exact decimal arithmetic: 0.29 * 1000 in floats is 290.00000000000006
    ["1.1m", 0.0011, 2],
    [2, 2, 2000],
    [0.25, 0.25, 250],
  ];
  it.each(valid)("parses %s", (input, value, millis) => {
    const q = parseQuantity(input);
    expect(q).toBeDefined();
    expect(q!.value).toBeCloseTo(value, 12);
    expect(q!.millis).toBe(millis);
  });

  const invalid = ["1.5.5", "10 Mi", "abc", "1Kb", "", " 1", "1 ", "Mi", "1K", "1mi", "1e", "1e1.5", "--1", "+-1", ".", "1Gi5", "0x10", "1ee3", "1m3", "Infinity", "NaN"];
  it.each(invalid)("rejects %j", (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });

  it("rejects non-finite numbers and absurd exponents", () => {
    expect(parseQuantity(Number.NaN)).toBeUndefined();
    expect(parseQuantity(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseQuantity("1e999999999")).toBeUndefined();
  });

  it("orders equal amounts written differently the same", () => {
    expect(parseQuantity("1Gi")!.value).toBe(parseQuantity("1073741824")!.value);
    expect(parseQuantity("0.1")!.millis).toBe(parseQuantity("100m")!.millis);
    expect(parseQuantity("1000m")!.millis).toBe(parseQuantity("1")!.millis);
  });
});

describe("hasSubMilliPrecision", () => {
  it.each([
    ["100u", true],
    ["1.0001", true],
    ["1n", true],
    [0.0001, true],
    ["0.29", false],
    ["1m", false],
    ["1.5Gi", false],
    ["1e-3", false],
    ["1e-4", true],
    ["abc", false],
  ] as [string | number, boolean][])("%s → %s", (s, want) => expect(hasSubMilliPrecision(s)).toBe(want));
});

describe("formatCpuMillis", () => {
  it.each([
    [250, "250m"],
    [2000, "2"],
    [1500, "1500m"],
    [0, "0"],
    [1, "1m"],
  ])("formats %d as %s", (m, s) => expect(formatCpuMillis(m)).toBe(s));

  it("round-trips through parseQuantity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (m) => {
        expect(parseQuantity(formatCpuMillis(m))!.millis).toBe(m);
      }),
    );
  });

  it("parse then format is stable for any decimal cpu string", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 3 }), (n, decimals) => {
        const s = (n / 10 ** decimals).toFixed(decimals);
        const m = parseQuantity(s)!.millis;
        expect(parseQuantity(formatCpuMillis(m))!.millis).toBe(m);
        expect(m).toBe(Math.round(Number(s) * 1000));
      }),
    );
  });
});

describe("formatBytes", () => {
  it.each([
    [128 * 1024 ** 2, "128Mi"],
    [1024 ** 3, "1Gi"],
    [1536, "1536"],
    [1572864, "1536Ki"],
    [512, "512"],
    [0, "0"],
    [129e6, "129000000"],
    [1024 ** 6 * 3, "3Ei"],
    [0.5, "500m"],
  ])("formats %d as %s", (b, s) => expect(formatBytes(b)).toBe(s));

  it("round-trips through parseQuantity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (b) => {
        expect(parseQuantity(formatBytes(b))!.value).toBe(b);
      }),
    );
  });

  it("round-trips multiples of binary units", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1023 }), fc.integer({ min: 0, max: 5 }), (n, k) => {
        const b = n * 1024 ** k;
        expect(parseQuantity(formatBytes(b))!.value).toBe(b);
      }),
    );
  });
});

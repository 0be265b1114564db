// resource.Quantity: parse and format the fixed-point numbers Kubernetes uses for cpu, memory and storage.
//
// Grammar (apimachinery resource/quantity.go):
//   quantity     ::= signedNumber suffix
//   signedNumber ::= [ "+" | "-" ] number
//   number       ::= digits | digits "." digits | digits "." | "." digits
//   suffix       ::= binarySI | decimalExponent | decimalSI
//   binarySI     ::= Ki | Mi | Gi | Ti | Pi | Ei
//   decimalSI    ::= n | u | m | "" | k | M | G | T | P | E
//   decimalExponent ::= ( "e" | "E" ) [ "+" | "-" ] digits
// Arithmetic is done on BigInt rationals so that e.g. "0.29" gives exactly 290 millicores:
// float multiplication (0.29 * 1000 = 290.00000000000006) would round up to 291.

export interface ParsedQuantity {
  /** Value in base units (cores, bytes). */
  value: number;
  /** Value in thousandths, rounded away from zero as Quantity.MilliValue does (used for cpu). */
  millis: number;
}

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE])([+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;

/** Power of ten for each decimal SI suffix. */
const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Power of 1024 for each binary SI suffix. */
const BINARY_SI: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

// Exponents far outside what any resource value needs; beyond this BigInt powers get expensive and the
// float result is Infinity or 0 anyway.
const MAX_EXPONENT = 400;

export function parseQuantity(s: string | number): ParsedQuantity | undefined {
  const r = parseRational(s);
  if (!r) return undefined;
  const { numer, denom, negative } = r;
  const value = ratioToNumber(numer, denom);
  if (!Number.isFinite(value)) return undefined;
  // Round away from zero, as Quantity.MilliValue does (ScaledValue rounds up in magnitude).
  const scaled = numer * 1000n;
  let millisAbs = scaled / denom;
  if (scaled % denom !== 0n) millisAbs += 1n;
  const millis = Number(millisAbs);
  return { value: negative ? -value : value, millis: negative ? -millis : millis };
}

/** True when s is a valid quantity finer than a thousandth (e.g. "100u", "0.0001"), which the API rounds up. */
export function hasSubMilliPrecision(s: string | number): boolean {
  const r = parseRational(s);
  return !!r && (r.numer * 1000n) % r.denom !== 0n;
}

/** |s| as numer/denom (exact), plus its sign; undefined when s is not a quantity. */
function parseRational(s: string | number): { numer: bigint; denom: bigint; negative: boolean } | undefined {
  if (typeof s === "number") {
    // JSON numbers (e.g. `cpu: 2`) are accepted by the API as quantities.
    if (!Number.isFinite(s)) return undefined;
    return parseRational(numberToDecimalString(s));
  }
  if (typeof s !== "string") return undefined;
  const m = QUANTITY_RE.exec(s);
  if (!m) return undefined;
  const [, sign, num, binary, expMark, expDigits, decimal] = m;

  // Mantissa as integer digits over 10^scale.
  const dot = num.indexOf(".");
  const intPart = dot < 0 ? num : num.slice(0, dot);
  const fracPart = dot < 0 ? "" : num.slice(dot + 1);
  let numer = BigInt((intPart + fracPart) || "0");
  let denom = 10n ** BigInt(fracPart.length);

  if (binary) {
    numer *= 1024n ** BigInt(BINARY_SI[binary]);
  } else {
    const exp = expMark ? Number(expDigits) : DECIMAL_SI[decimal ?? ""];
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > MAX_EXPONENT) return undefined;
    if (exp >= 0) numer *= 10n ** BigInt(exp);
    else denom *= 10n ** BigInt(-exp);
  }
  return { numer, denom, negative: sign === "-" && numer !== 0n };
}

/** numer/denom as a float, precise even when both are larger than 2^53. */
function ratioToNumber(numer: bigint, denom: bigint): number {
  if (denom === 1n) return Number(numer);
  const whole = numer / denom;
  const rest = numer % denom;
  // Dividing the remainder after scaling keeps ~17 significant digits for small fractions.
  const shift = 10n ** 20n;
  return Number(whole) + Number((rest * shift) / denom) / 1e20;
}

/** Plain decimal notation for a finite number (no "1e-7" exponent forms with a sign the grammar would reject). */
function numberToDecimalString(n: number): string {
  const str = String(n);
  if (!/[eE]/.test(str)) return str;
  // String(1e21) === "1e+21": rewrite as mantissa + decimal exponent, which the grammar accepts.
  const [mant, exp] = str.split(/[eE]/);
  return `${mant}e${Number(exp)}`;
}

/** Millicores in the form kubectl prints them: whole cores without a suffix, else "<n>m". */
export function formatCpuMillis(m: number): string {
  if (m % 1000 === 0) return String(m / 1000);
  return `${m}m`;
}

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/**
 * Bytes in canonical BinarySI form (Quantity.String for a BinarySI quantity): the largest power of 1024
 * that divides the value exactly, e.g. 134217728 → "128Mi", 1536 → "1536", 1572864 → "1536Ki".
 * Values under 1024 and fractional values fall back to DecimalSI as Go's CanonicalizeBytes does.
 */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  if (!Number.isInteger(b)) {
    // Sub-byte precision only arises from e.g. "0.5"; Go prints DecimalSI with milli precision.
    const millis = b < 0 ? -Math.ceil(-b * 1000) : Math.ceil(b * 1000);
    return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
  }
  if (Math.abs(b) < 1024) return String(b);
  let n = b;
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && n % 1024 === 0 && n !== 0) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY_SUFFIXES[i]}`;
}

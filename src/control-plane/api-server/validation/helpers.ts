// Building blocks shared by the per-kind validators: field.Error → StatusCause with the exact
// ErrorBody texts of apimachinery v1.32 (field/errors.go), the name/label checks of
// util/validation, and value printing the way Go's %q / %v / %#v / Stringer render it.
import type { StatusCause } from "../types";
import { parseQuantity } from "../quantity";

/** A value as the Go error printer would show it. Strings are %q-quoted, numbers/bools bare,
 *  `raw` is printed verbatim (pre-rendered %#v or String() output), null prints "null". */
export type GoValue = string | number | boolean | null | undefined | { raw: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []); // eslint-disable-line @typescript-eslint/no-explicit-any
export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);

// --- Go value printing -------------------------------------------------------------------------

/** strconv.Quote: printable runes stay, the rest become Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

export function fmtValue(v: GoValue): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return v.raw;
}

/** json.Marshal of a decoded map[string]interface{}: keys sorted at every level, compact, with
 *  Go's HTML escaping of <, > and & and of U+2028/U+2029. */
export function goJson(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (isObj(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])]));
    return x;
  };
  return JSON.stringify(sorted(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** %#v of a map[string]string: keys sorted, nil map for absent. */
export function goStringMap(m: unknown): string {
  if (!isObj(m)) return "map[string]string(nil)";
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(str(m[k]))}`).join(", ")}}`;
}

/** %#v of a []string. */
export function goStringSlice(a: unknown): string {
  if (!Array.isArray(a)) return "[]string(nil)";
  return `[]string{${a.map((s) => goQuote(str(s))).join(", ")}}`;
}

/** (*metav1.LabelSelector).String(): the gogo-protobuf rendering the 1.32 error printer uses for
 *  pointers that implement fmt.Stringer. */
export function labelSelectorString(sel: unknown): string {
  if (!isObj(sel)) return "nil";
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  const labels = Object.keys(ml).sort().map((k) => `${k}: ${str(ml[k])},`).join("");
  const exprs = arr(sel.matchExpressions)
    .map((e) => `LabelSelectorRequirement{Key:${str(e?.key)},Operator:${str(e?.operator)},Values:[${arr(e?.values).join(" ")}],},`)
    .join("");
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** (*intstr.IntOrString).String(): the number or the string, unquoted. */
export const intOrStringRaw = (v: unknown): GoValue => ({ raw: typeof v === "number" ? String(v) : str(v) });

// --- field paths -------------------------------------------------------------------------------

export const child = (p: string, ...names: string[]) => names.reduce((acc, n) => (acc ? `${acc}.${n}` : n), p);
export const index = (p: string, i: number) => `${p}[${i}]`;
export const key = (p: string, k: string) => `${p}[${k}]`;

// --- field.Error constructors ------------------------------------------------------------------

const withDetail = (s: string, detail: string) => (detail ? `${s}: ${detail}` : s);

export const required = (field: string, detail = ""): StatusCause =>
  ({ reason: "FieldValueRequired", message: withDetail("Required value", detail), field });
export const invalid = (field: string, value: GoValue, detail = ""): StatusCause =>
  ({ reason: "FieldValueInvalid", message: withDetail(`Invalid value: ${fmtValue(value)}`, detail), field });
export const notSupported = (field: string, value: GoValue, valid: string[]): StatusCause => ({
  reason: "FieldValueNotSupported",
  message: withDetail(`Unsupported value: ${fmtValue(value)}`, valid.length ? `supported values: ${valid.map(goQuote).join(", ")}` : ""),
  field,
});
export const duplicate = (field: string, value: GoValue): StatusCause =>
  ({ reason: "FieldValueDuplicate", message: `Duplicate value: ${fmtValue(value)}`, field });
export const forbidden = (field: string, detail = ""): StatusCause =>
  ({ reason: "FieldValueForbidden", message: withDetail("Forbidden", detail), field });
export const notFound = (field: string, value: GoValue): StatusCause =>
  ({ reason: "FieldValueNotFound", message: `Not found: ${fmtValue(value)}`, field });
// 1.32 (kubernetes#128553) unified TooLong to "may not be more than N bytes"; the value is never printed.
export const tooLong = (field: string, max: number): StatusCause =>
  ({ reason: "FieldValueTooLong", message: `Too long: may not be more than ${max} ${max === 1 ? "byte" : "bytes"}`, field });
export const tooMany = (field: string, actual: number, max: number): StatusCause =>
  ({ reason: "FieldValueTooMany", message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? "item" : "items"}`, field });

/** One Invalid cause per message, as the `for _, msg := range IsX(v)` loops do. */
export const invalidEach = (field: string, value: GoValue, msgs: string[]): StatusCause[] => msgs.map((m) => invalid(field, value, m));

// --- util/validation messages ------------------------------------------------------------------

export const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const EMPTY_ERROR = "must be non-empty";
export const IS_NEGATIVE = "must be greater than or equal to 0";
export const IMMUTABLE = "field is immutable";
export const inclusiveRange = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;
export const regexError = (msg: string, fmt: string, ...examples: string[]) =>
  examples.length === 0
    ? `${msg} (regex used for validation is '${fmt}')`
    : `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const full = (fmt: string) => new RegExp(`^${fmt}$`);
const DNS1123_LABEL_RE = full(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN_RE = full(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL_RE = full(DNS1035_LABEL_FMT);
const QNAME_RE = full(QNAME_FMT);
const LABEL_VALUE_RE = full(LABEL_VALUE_FMT);
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(v)) {
    // A valid subdomain that is not a label can only be failing because of its dots.
    if (DNS1123_SUBDOMAIN_RE.test(v)) errs.push("must not contain dots");
    else errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(v)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, "example.com"));
  }
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL_RE.test(v)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, "my-name", "abc-123"));
  }
  return errs;
}

export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(v)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  }
  return errs;
}

export const isValidPortNum = (p: number): string[] => (Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : [inclusiveRange(1, 65535)]);

/** IANA_SVC_NAME rules (IsValidPortName). */
export function isValidPortName(p: string): string[] {
  const errs: string[] = [];
  if (p.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(p)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(p)) errs.push("must contain at least one letter (a-z)");
  if (p.includes("--")) errs.push("must not contain consecutive hyphens");
  if (p.length > 0 && (p.startsWith("-") || p.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

function hasChDirPrefix(v: string): string[] {
  if (v === ".") return ["must not be '.'"];
  if (v === "..") return ["must not be '..'"];
  if (v.startsWith("..")) return ["must not start with '..'"];
  return [];
}

export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!/^[-._a-zA-Z0-9]+$/.test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
  }
  return [...errs, ...hasChDirPrefix(v)];
}

/** IsRelaxedEnvVarName: RelaxedEnvironmentVariableValidation is beta and on by default in 1.32, so any
 *  printable ASCII except '=' is accepted (the old C-identifier rule no longer applies). */
export function isRelaxedEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (v.length === 0) errs.push(`environment variable name ${EMPTY_ERROR}`);
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (c > 0x7e || c < 0x20 || ch === "=") {
      errs.push("environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

/** pathvalidation.IsValidPathSegmentName: names that would break a REST path. */
export function isValidPathSegmentName(v: string): string[] {
  if (v === "." || v === "..") return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const bad of ["/", "%"]) if (v.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

// --- common field checks -----------------------------------------------------------------------

/** ValidateNonnegativeField (values are int64 in Go, so printed bare). */
export const nonNegative = (v: unknown, field: string): StatusCause[] =>
  typeof v === "number" && v < 0 ? [invalid(field, v, IS_NEGATIVE)] : [];

export const validateDNS1123Label = (v: string, field: string) => invalidEach(field, v, isDNS1123Label(v));
export const validateDNS1123Subdomain = (v: string, field: string) => invalidEach(field, v, isDNS1123Subdomain(v));

/** metav1validation.ValidateLabels: every error is reported on the map's path, not the key's. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of entries(labels)) {
    out.push(...invalidEach(field, k, isQualifiedName(k)));
    out.push(...invalidEach(field, str(v), isValidLabelValue(str(v))));
  }
  return out;
}

export const validateLabelName = (k: string, field: string) => invalidEach(field, k, isQualifiedName(k));

/** ValidatePortNumOrName for an IntOrString port. */
export function validatePortNumOrName(port: unknown, field: string): StatusCause[] {
  if (typeof port === "number") return invalidEach(field, port, isValidPortNum(port));
  if (typeof port === "string") return invalidEach(field, port, isValidPortName(port));
  return [];
}

/** unversioned ValidateLabelSelector (strict label values). */
export function validateLabelSelector(sel: unknown, field: string): StatusCause[] {
  if (!isObj(sel)) return [];
  const out = validateLabels(sel.matchLabels, child(field, "matchLabels"));
  arr(sel.matchExpressions).forEach((e: Obj, i: number) => {
    const p = index(child(field, "matchExpressions"), i);
    const op = str(e?.operator);
    const values = arr(e?.values);
    if (op === "In" || op === "NotIn") {
      if (values.length === 0) out.push(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === "Exists" || op === "DoesNotExist") {
      if (values.length > 0) out.push(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else out.push(invalid(child(p, "operator"), op, "not a valid selector operator"));
    out.push(...validateLabelName(str(e?.key), child(p, "key")));
    values.forEach((v, j) => out.push(...invalidEach(index(child(p, "values"), j), str(v), isValidLabelValue(str(v)))));
  });
  return out;
}

/** metav1.LabelSelectorAsSelector(sel).Matches(labels): nil selects nothing, {} everything. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  if (!isObj(sel)) return false;
  const l = isObj(labels) ? labels : {};
  for (const [k, v] of entries(sel.matchLabels)) if (l[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    const has = Object.prototype.hasOwnProperty.call(l, str(e?.key));
    const vals = arr(e?.values);
    switch (e?.operator) {
      case "In": if (!has || !vals.includes(l[e.key])) return false; break;
      case "NotIn": if (has && vals.includes(l[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

// --- quantities --------------------------------------------------------------------------------

export const QUANTITY_REGEX_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** An exact quantity: numer/denom plus the format its suffix selects (Quantity.Format). */
export interface Q { numer: bigint; denom: bigint; format: "BinarySI" | "DecimalSI" | "DecimalExponent" }

const Q_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;
const BIN: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DEC: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Parses a quantity exactly; undefined when it is not one (parseQuantity is the shared authority). */
export function parseQ(v: unknown): Q | undefined {
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string" || parseQuantity(s) === undefined) return undefined;
  const m = Q_RE.exec(s);
  if (!m) return undefined;
  const [, sign, num, bin, exp, dec] = m;
  const [ip, fp = ""] = num.split(".");
  let numer = BigInt((ip + fp) || "0");
  let denom = 10n ** BigInt(fp.length);
  let format: Q["format"] = "DecimalSI";
  if (bin) { numer *= 1024n ** BigInt(BIN[bin]); format = "BinarySI"; }
  else {
    const e = exp !== undefined ? Number(exp) : DEC[dec ?? ""];
    if (exp !== undefined) format = "DecimalExponent";
    if (e >= 0) numer *= 10n ** BigInt(e); else denom *= 10n ** BigInt(-e);
  }
  if (sign === "-") numer = -numer;
  return { numer, denom, format };
}

export const cmpQ = (a: Q, b: Q): number => {
  const l = a.numer * b.denom, r = b.numer * a.denom;
  return l < r ? -1 : l > r ? 1 : 0;
};

/** Quantity.String(): the canonical form the API prints (e.g. "1000m" → "1", "1024Mi" → "1Gi"). */
export function qString(q: Q): string {
  const neg = q.numer < 0n;
  const n = neg ? -q.numer : q.numer;
  const sign = neg ? "-" : "";
  let format = q.format;
  const isInt = n % q.denom === 0n;
  if (format === "BinarySI" && (!isInt || n / q.denom < 1024n)) format = "DecimalSI";
  if (format === "BinarySI") {
    let v = n / q.denom;
    let i = 0;
    while (i < 6 && v !== 0n && v % 1024n === 0n) { v /= 1024n; i++; }
    return `${sign}${v}${["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][i]}`;
  }
  // value = mant * 10^e with e a multiple of 3, as large as keeps mant integral (nano precision at most,
  // rounding up as Go does).
  let e = -9;
  let mant = (n * 10n ** 9n + q.denom - 1n) / q.denom;
  if (mant === 0n) return "0";
  while (e < 18 && mant % 1000n === 0n) { mant /= 1000n; e += 3; }
  if (format === "DecimalExponent") return `${sign}${mant}${e === 0 ? "" : `e${e}`}`;
  const suffix: Record<number, string> = { [-9]: "n", [-6]: "u", [-3]: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };
  return `${sign}${mant}${suffix[e]}`;
}

export const isNegQ = (q: Q) => q.numer < 0n;

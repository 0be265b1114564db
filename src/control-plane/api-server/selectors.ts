// Label and field selectors with the grammar, matching and error texts of apimachinery v1.32
// (labels.Parse, metav1.LabelSelectorAsSelector, fields.ParseSelector) plus the per-kind field
// labels the real registry accepts (AddFieldLabelConversionFunc) and exposes (ToSelectableFields).

import { invalid, SelectorError } from "./selector-errors";

export { SelectorError } from "./selector-errors";

// ---------------------------------------------------------------------------------------------
// Label selectors

type LabelOp = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";

interface Requirement { key: string; op: LabelOp; values: string[] }

/** `empty`: the selector restricts nothing (matches every label set). */
export interface LabelSelector { matches(labels: Record<string, string> | undefined): boolean; empty: boolean; toString(): string }

const QNAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// The exact texts of util/validation's RegexError/MaxLenError, which kubectl users see.
const regexError = (msg: string, fmt: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
const QNAME_MSG = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", "MyName", "my.name", "123-abc");
const maxLen = (n: number) => `must be no more than ${n} characters`;

function qualifiedNameErrors(key: string): string[] {
  const parts = key.split("/");
  const errs: string[] = [];
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else {
      if (prefix.length > 253) errs.push(`prefix part ${maxLen(253)}`);
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
        errs.push("prefix part " + regexError(
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
          "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", "example.com"));
      }
    }
  } else {
    return [`a qualified name ${QNAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QNAME_RE.test(name)) errs.push(`name part ${QNAME_MSG}`);
  return errs;
}

function labelValueErrors(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE_RE.test(v)) {
    errs.push(regexError(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", "MyValue", "my_value", "12345"));
  }
  return errs;
}

// field.Error text: "<path>: Invalid value: \"v\": detail". A nil path prints as <nil>, which is
// what the real parser shows for a bad key.
const goSlice = (vals: string[]) => `[]string{${vals.map((v) => JSON.stringify(v)).join(", ")}}`;

/** labels.NewRequirement's validation; returns the aggregated error text or undefined. */
function requirementError(key: string, op: LabelOp, values: string[]): string | undefined {
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(invalid("key", key, keyErrs.join("; ")));
  if ((op === "in" || op === "notin") && values.length === 0) {
    errs.push(`values: Invalid value: ${goSlice(values)}: for 'in', 'notin' operators, values set can't be empty`);
  } else if ((op === "=" || op === "==" || op === "!=") && values.length !== 1) {
    errs.push(`values: Invalid value: ${goSlice(values)}: exact-match compatibility requires one single value`);
  } else if ((op === "exists" || op === "!") && values.length !== 0) {
    errs.push(`values: Invalid value: ${goSlice(values)}: values set must be empty for exists and does not exist`);
  } else if (op === ">" || op === "<") {
    if (values.length !== 1) errs.push(`values: Invalid value: ${goSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
    values.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v)) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalid(`values[${i}][${key}]`, v, ve.join("; ")));
  });
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`; // utilerrors.Aggregate formatting
}

function matchRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.op) {
    case "=": case "==": case "in": return has && r.values.includes(v!);
    case "!=": case "notin": return !has || !r.values.includes(v!);
    case "exists": case "!": return has === (r.op === "exists");
    case ">": case "<": {
      if (!has || !/^[+-]?\d+$/.test(v!)) return false;
      const a = BigInt(v!), b = BigInt(r.values[0]);
      return r.op === ">" ? a > b : a < b;
    }
  }
}

function requirementString(r: Requirement): string {
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(",");
  switch (r.op) {
    case "exists": case "!": return `${r.op === "!" ? "!" : ""}${r.key}`;
    case "in": case "notin": return `${r.key} ${r.op} (${vals})`;
    default: return `${r.key}${r.op}${vals}`;
  }
}

function makeSelector(reqs: Requirement[] | null): LabelSelector {
  if (reqs === null) return { matches: () => false, empty: false, toString: () => "" }; // labels.Nothing()
  // Sorted by key like internalSelector.Add / parse, so String() is deterministic.
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    matches: (labels) => sorted.every((r) => matchRequirement(r, labels ?? {})),
    empty: sorted.length === 0,
    toString: () => sorted.map(requirementString).join(","),
  };
}

// Lexer: the same token classes as labels.Lexer.
type TokKind = "id" | "end" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<" | "in" | "notin" | "error";
interface Tok { kind: TokKind; lit: string }
const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const SYMBOLS = new Set(["(", ")", ",", "!", "=", "==", "!=", ">", "<"]);
const isSpace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) { out.push({ kind: "end", lit: "" }); return out; }
    if (SPECIAL.has(s[i])) {
      // Longest run of special characters that still forms a known symbol.
      let buf = "", last: string | undefined;
      while (i < s.length && SPECIAL.has(s[i])) {
        buf += s[i];
        if (SYMBOLS.has(buf)) { last = buf; i++; } else if (last !== undefined) break; else i++;
      }
      out.push(last === undefined ? { kind: "error", lit: `error expected: keyword found '${buf}'` } : { kind: last as TokKind, lit: last });
    } else {
      let buf = "";
      while (i < s.length && !SPECIAL.has(s[i]) && !isSpace(s[i])) buf += s[i++];
      out.push({ kind: buf === "in" || buf === "notin" ? buf : "id", lit: buf });
    }
  }
}

/** labels.Parse: `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3`. Empty string selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  const toks = lex(s);
  let pos = 0;
  // In value position "in"/"notin" are plain identifiers, as in the real parser's Values context.
  const peek = (values = true): Tok => { const t = toks[pos]; return values && (t.kind === "in" || t.kind === "notin") ? { kind: "id", lit: t.lit } : t; };
  const next = (values = true): Tok => { const t = peek(values); pos++; return t; };
  const fail = (m: string): never => { throw new SelectorError(m); };
  const reqFail = (m: string): never => fail(`unable to parse requirement: ${m}`);

  const parseRequirement = (): Requirement => {
    let t = next();
    let negated = false;
    if (t.kind === "!") { negated = true; t = next(); }
    if (t.kind !== "id") reqFail(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = qualifiedNameErrors(key);
    if (ke.length) reqFail(invalid("<nil>", key, ke.join("; ")));
    const la = peek().kind;
    if (negated || la === "end" || la === ",") {
      // `!key` followed by anything but the end or ',' is caught by the caller's separator check.
      const op: LabelOp = negated ? "!" : "exists";
      const e = requirementError(key, op, []);
      if (e) reqFail(e);
      return { key, op, values: [] };
    }
    const opTok = next(false);
    const ops: Record<string, LabelOp> = { in: "in", notin: "notin", "=": "=", "==": "==", "!=": "!=", ">": ">", "<": "<" };
    const op = ops[opTok.kind];
    if (!op) reqFail(`found '${opTok.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    let values: string[];
    if (op === "in" || op === "notin") values = parseSet();
    else {
      const v = peek();
      if (v.kind === "end" || v.kind === ",") values = [""];
      else { const vt = next(); if (vt.kind !== "id") reqFail(`found '${vt.lit}', expected: identifier`); values = [vt.lit]; }
    }
    const e = requirementError(key, op, values);
    if (e) reqFail(e);
    return { key, op, values };
  };

  const parseSet = (): string[] => {
    const open = next();
    if (open.kind !== "(") reqFail(`found '${open.lit}' expected: '('`);
    const first = peek();
    if (first.kind === ")") { next(); return [""]; }
    if (first.kind !== "id" && first.kind !== ",") reqFail(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const t = next();
      if (t.kind === "id") {
        set.add(t.lit);
        const la = peek();
        if (la.kind === ",") continue;
        if (la.kind === ")") break;
        reqFail(`found '${la.lit}', expected: ',' or ')'`);
      } else if (t.kind === ",") {
        // Empty members: "(,a)", "(a,)", "(a,,b)" all include "".
        if (set.size === 0) set.add("");
        const la = peek();
        if (la.kind === ")") { set.add(""); break; }
        if (la.kind === ",") set.add("");
      } else reqFail(`found '${t.lit}', expected: ',', or identifier`);
    }
    next(); // the ')'
    return [...set].sort();
  };

  const reqs: Requirement[] = [];
  for (;;) {
    const t = peek();
    if (t.kind === "end") break;
    if (t.kind !== "id" && t.kind !== "!") fail(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
    reqs.push(parseRequirement());
    const sep = next();
    if (sep.kind === "end") break;
    if (sep.kind !== ",") fail(`found '${sep.lit}', expected: ',' or 'end of string'`);
    const la = peek();
    if (la.kind !== "id" && la.kind !== "!") fail(`found '${la.lit}', expected: identifier after ','`);
  }
  return makeSelector(reqs);
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string; values?: string[] }[];
}

/** metav1.LabelSelectorAsSelector: undefined/null → matches nothing; {} → matches everything. */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined | null): LabelSelector {
  if (sel == null) return makeSelector(null);
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const e = requirementError(k, "=", [v]);
    if (e) throw new SelectorError(e);
    reqs.push({ key: k, op: "=", values: [v] });
  }
  const opMap: Record<string, LabelOp> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };
  for (const ex of sel.matchExpressions ?? []) {
    const op = opMap[ex.operator];
    if (!op) throw new SelectorError(`${JSON.stringify(ex.operator)} is not a valid label selector operator`);
    const values = [...(ex.values ?? [])];
    const e = requirementError(ex.key, op, values);
    if (e) throw new SelectorError(e);
    reqs.push({ key: ex.key, op, values });
  }
  return makeSelector(reqs);
}

/** The selector's canonical string, e.g. for Scale status.selector; "" for nothing/everything. */
export function labelSelectorToString(sel: LabelSelectorObject | undefined | null): string {
  return labelSelectorFromObject(sel).toString();
}

export * from "./field-selectors";

// Table-driven decoder: protobuf message bytes → the JSON object encoding/json would produce.
import { type FieldDesc, message, SCALARS } from "./schema.js";
import {
  decodeUtf8,
  ProtobufError,
  Reader,
  readDouble,
  toBase64,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from "./wire.js";

type Json = unknown;
const MAX_DEPTH = 64;

function expectWire(f: FieldDesc, got: number, want: number): void {
  if (got !== want) throw new ProtobufError(`field ${f.name} (${f.num}) has wire type ${got}, expected ${want}`);
}

/** Wire type a single (unpacked) value of this type uses. */
function wireTypeOf(type: string): number {
  if (type === "i32" || type === "i64" || type === "b") return WIRE_VARINT;
  if (type === "f64") return WIRE_FIXED64;
  return WIRE_LEN;
}

function scalarFromVarint(type: string, v: bigint): Json {
  if (type === "b") return v !== 0n;
  if (type === "i32") return Number(BigInt.asIntN(32, v));
  return Number(BigInt.asIntN(64, v)); // i64: JSON numbers, as encoding/json writes them
}

/** Reads one raw value of `type` off the reader (wire type already checked). */
function readValue(type: string, r: Reader, wire: number, depth: number): Json {
  if (wire === WIRE_VARINT) return scalarFromVarint(type, r.varint64());
  if (wire === WIRE_FIXED64) return readDouble(r.fixed64());
  const bytes = r.bytes();
  if (type === "s") return decodeUtf8(bytes);
  if (type === "bytes") return toBase64(bytes);
  return decodeSpecialOrMessage(type, bytes, depth + 1);
}

function decodeSpecialOrMessage(type: string, bytes: Uint8Array, depth: number): Json {
  switch (type) {
    case "Time":
      return decodeTime(bytes, false);
    case "MicroTime":
      return decodeTime(bytes, true);
    case "Quantity":
      return decodeQuantity(bytes);
    case "IntOrString":
      return decodeIntOrString(bytes);
    case "FieldsV1":
      return decodeFieldsV1(bytes);
    default:
      return decodeMessage(type, bytes, depth);
  }
}

/** metav1.Time {1: seconds, 2: nanos}; an empty message is the zero time, which JSON renders as null. */
function decodeTime(bytes: Uint8Array, micro: boolean): string | null {
  let seconds = 0n;
  let nanos = 0;
  const r = new Reader(bytes);
  while (!r.done) {
    const [num, wire] = r.tag();
    if (num === 1 && wire === WIRE_VARINT) seconds = BigInt.asIntN(64, r.varint64());
    else if (num === 2 && wire === WIRE_VARINT) nanos = Number(BigInt.asIntN(32, r.varint64()));
    else r.skip(wire);
  }
  if (bytes.length === 0) return null;
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new ProtobufError("timestamp out of range");
  const base = date.toISOString().slice(0, 19); // RFC3339 in UTC, whole seconds
  if (!micro) return `${base}Z`;
  const micros = String(Math.floor(nanos / 1000)).padStart(6, "0");
  return `${base}.${micros}Z`;
}

/** resource.Quantity {1: string}; the string is already canonical (Quantity.String()). */
function decodeQuantity(bytes: Uint8Array): string {
  let value = "";
  const r = new Reader(bytes);
  while (!r.done) {
    const [num, wire] = r.tag();
    if (num === 1 && wire === WIRE_LEN) value = decodeUtf8(r.bytes());
    else r.skip(wire);
  }
  return value === "" ? "0" : value;
}

/** intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  const r = new Reader(bytes);
  while (!r.done) {
    const [num, wire] = r.tag();
    if (num === 1 && wire === WIRE_VARINT) type = Number(BigInt.asIntN(64, r.varint64()));
    else if (num === 2 && wire === WIRE_VARINT) intVal = Number(BigInt.asIntN(32, r.varint64()));
    else if (num === 3 && wire === WIRE_LEN) strVal = decodeUtf8(r.bytes());
    else r.skip(wire);
  }
  return type === 1 ? strVal : intVal;
}

/** metav1.FieldsV1 {1: Raw} holds JSON text; encoding/json inlines it. */
function decodeFieldsV1(bytes: Uint8Array): Json {
  const r = new Reader(bytes);
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const [num, wire] = r.tag();
    if (num === 1 && wire === WIRE_LEN) raw = r.bytes();
    else r.skip(wire);
  }
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(decodeUtf8(raw)) as Json;
  } catch {
    throw new ProtobufError("fieldsV1 is not valid JSON");
  }
}

/** Value JSON would show for a field that is absent or zero. */
function zeroOf(f: FieldDesc, depth: number): Json {
  if (f.repeated || f.type === "map") return null;
  switch (f.type) {
    case "s":
      return "";
    case "i32":
    case "i64":
    case "f64":
      return 0;
    case "b":
      return false;
    case "bytes":
    case "Time":
    case "MicroTime":
    case "FieldsV1":
      return null;
    case "Quantity":
      return "0";
    case "IntOrString":
      return 0;
    default:
      return f.pointer ? null : decodeMessage(f.type, new Uint8Array(0), depth + 1);
  }
}

function isZeroScalar(v: Json): boolean {
  return v === "" || v === 0 || v === false || v === null;
}

/** Decodes `bytes` as message `name` into its JSON form. */
export function decodeMessage(name: string, bytes: Uint8Array, depth = 0): Record<string, Json> {
  if (depth > MAX_DEPTH) throw new ProtobufError("message nesting too deep");
  const desc = message(name);
  const single = new Map<number, Json>();
  const lists = new Map<number, Json[]>();
  const maps = new Map<number, Record<string, Json>>();
  // Repeated occurrences of a singular message field merge; concatenating their bytes does exactly that.
  const msgParts = new Map<number, Uint8Array[]>();

  const r = new Reader(bytes);
  while (!r.done) {
    const [num, wire] = r.tag();
    const f = desc.byNum.get(num);
    if (!f) {
      r.skip(wire); // unknown field: newer client, keep going
      continue;
    }
    if (f.type === "map") {
      expectWire(f, wire, WIRE_LEN);
      const [k, v] = readMapEntry(f, r.bytes(), depth);
      let m = maps.get(num);
      if (!m) maps.set(num, (m = {}));
      m[k] = v;
    } else if (f.repeated) {
      let list = lists.get(num);
      if (!list) lists.set(num, (list = []));
      const want = wireTypeOf(f.type);
      if (wire === WIRE_LEN && want !== WIRE_LEN) {
        // Packed numeric list.
        const inner = r.bytes();
        const pr = new Reader(inner);
        while (!pr.done) list.push(readValue(f.type, pr, want, depth));
      } else {
        expectWire(f, wire, want);
        list.push(readValue(f.type, r, wire, depth));
      }
    } else if (!SCALARS.has(f.type)) {
      expectWire(f, wire, WIRE_LEN);
      let parts = msgParts.get(num);
      if (!parts) msgParts.set(num, (parts = []));
      parts.push(r.bytes());
    } else {
      expectWire(f, wire, wireTypeOf(f.type));
      single.set(num, readValue(f.type, r, wire, depth));
    }
  }

  const out: Record<string, Json> = {};
  for (const f of desc.fields) {
    let value: Json;
    let present: boolean;
    if (f.type === "map") {
      const m = maps.get(f.num);
      present = m !== undefined;
      value = m;
      if (!present) {
        if (f.always) out[f.name] = null;
        continue;
      }
    } else if (f.repeated) {
      const list = lists.get(f.num);
      present = list !== undefined && list.length > 0;
      if (!present) {
        if (f.always) out[f.name] = null;
        continue;
      }
      value = list;
    } else if (!SCALARS.has(f.type)) {
      const parts = msgParts.get(f.num);
      present = parts !== undefined;
      value = present ? decodeSpecialOrMessage(f.type, concat(parts!), depth + 1) : undefined;
      if (f.inline) {
        Object.assign(out, present ? value : zeroOf({ ...f, pointer: false }, depth));
        continue;
      }
      if (!present) {
        // Pointer without omitempty → null; value struct (never omitted by encoding/json) → its zero form.
        if (f.pointer && !f.always) continue;
        out[f.name] = zeroOf(f, depth);
        continue;
      }
    } else {
      present = single.has(f.num);
      value = present ? single.get(f.num) : zeroOf(f, depth);
      if (f.pointer) {
        if (present) out[f.name] = value;
        else if (f.always) out[f.name] = null;
        continue;
      }
      if (!f.always && isZeroScalar(value)) continue;
    }
    out[f.name] = value;
  }
  return out;
}

function readMapEntry(f: FieldDesc, entry: Uint8Array, depth: number): [string, Json] {
  let key = "";
  const valueType = f.mapValue!;
  let value: Json = valueType === "s" || valueType === "bytes" ? "" : undefined;
  const r = new Reader(entry);
  while (!r.done) {
    const [num, wire] = r.tag();
    if (num === 1) {
      expectWire(f, wire, WIRE_LEN);
      key = decodeUtf8(r.bytes());
    } else if (num === 2) {
      expectWire(f, wire, wireTypeOf(valueType));
      value = readValue(valueType, r, wire, depth);
    } else r.skip(wire);
  }
  if (value === undefined) value = zeroOf({ ...f, type: valueType, mapValue: undefined }, depth);
  return [key, value];
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

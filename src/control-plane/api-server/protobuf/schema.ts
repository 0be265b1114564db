// Message tables: field number → JSON name, type and the Go/JSON emptiness rule of that field.
//
// Tables are written as compact strings, one field per `;`-separated entry:
//   "<number> <jsonName> <type><flags>"
// Types: s (string), i32, i64, b (bool), bytes, f64 (double), Time, MicroTime, Quantity, IntOrString,
// FieldsV1, map:<valueType> (map<string, valueType>), or the name of another message table.
// Flags mirror the Go struct and its json tag, because the JSON kubectl would send is
// encoding/json's view of the Go value the protobuf decodes into:
//   (none) omitempty value field: emitted only when non-zero (structs are always emitted, as {}).
//   !      no omitempty: always emitted, zero value when absent (nil slice/map/pointer → null).
//   ?      pointer field: emitted when present on the wire, even when zero (e.g. replicas: 0).
//   *      repeated.
//   ^      embedded struct with `json:",inline"`: its fields are merged into the parent object.

export type Scalar = "s" | "i32" | "i64" | "b" | "bytes" | "f64";
export type Special = "Time" | "MicroTime" | "Quantity" | "IntOrString" | "FieldsV1";

export interface FieldDesc {
  num: number;
  name: string;
  /** Scalar, special, or a message table name. */
  type: string;
  /** Value type of a map<string, X>; set when the field is a map. */
  mapValue?: string;
  repeated: boolean;
  always: boolean;
  pointer: boolean;
  inline: boolean;
}

export interface MessageDesc {
  name: string;
  fields: FieldDesc[];
  byNum: Map<number, FieldDesc>;
}

export const SCALARS: ReadonlySet<string> = new Set(["s", "i32", "i64", "b", "bytes", "f64"]);
export const SPECIALS: ReadonlySet<string> = new Set(["Time", "MicroTime", "Quantity", "IntOrString", "FieldsV1"]);

const registry = new Map<string, MessageDesc>();

function parseField(msg: string, entry: string): FieldDesc {
  const m = /^(\d+)\s+(\S+)\s+([A-Za-z0-9:]+)([!?*^]*)$/.exec(entry.trim());
  if (!m) throw new Error(`bad field spec in ${msg}: "${entry}"`);
  const [, num, name, rawType, flags] = m as unknown as [string, string, string, string, string];
  const isMap = rawType.startsWith("map:");
  return {
    num: Number(num),
    name,
    type: isMap ? "map" : rawType,
    mapValue: isMap ? rawType.slice(4) : undefined,
    repeated: flags.includes("*"),
    always: flags.includes("!"),
    pointer: flags.includes("?"),
    inline: flags.includes("^"),
  };
}

/** Registers message tables, e.g. define({ ContainerPort: "1 name s; 3 containerPort i32!" }). */
export function define(tables: Record<string, string>): void {
  for (const [name, spec] of Object.entries(tables)) {
    const fields = spec
      .split(";")
      .map((e) => e.trim())
      .filter((e) => e.length > 0)
      .map((e) => parseField(name, e));
    const byNum = new Map<number, FieldDesc>();
    for (const f of fields) {
      if (byNum.has(f.num)) throw new Error(`duplicate field ${f.num} in ${name}`);
      byNum.set(f.num, f);
    }
    registry.set(name, { name, fields, byNum });
  }
}

export function message(name: string): MessageDesc {
  const desc = registry.get(name);
  if (!desc) throw new Error(`no protobuf table for message ${name}`);
  return desc;
}

/** Checks every referenced message exists; tests call it so a typo in a table fails loudly. */
export function unresolvedReferences(): string[] {
  const missing: string[] = [];
  for (const desc of registry.values()) {
    for (const f of desc.fields) {
      for (const t of [f.type, f.mapValue]) {
        if (!t || t === "map" || SCALARS.has(t) || SPECIALS.has(t)) continue;
        if (!registry.has(t)) missing.push(`${desc.name}.${f.name} → ${t}`);
      }
    }
  }
  return missing;
}

// Small helpers shared by the per-kind defaulters. Go's defaulters treat a zero value ("" / 0 / nil) as
// unset; JSON null decodes to that zero value, so null counts as unset here too.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The array at obj[key] if it is one, else an empty array (malformed input is validation's job). */
export function arr(obj: Obj | undefined, key: string): unknown[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v : [];
}

/** Each element of obj[key] that is an object. */
export function objs(obj: Obj | undefined, key: string): Obj[] {
  return arr(obj, key).filter(isObj);
}

/** Returns obj[key], creating it as {} when unset (null/undefined). Non-object values are left alone. */
export function ensureObj(obj: Obj, key: string): Obj | undefined {
  if (obj[key] === undefined || obj[key] === null) obj[key] = {};
  return isObj(obj[key]) ? obj[key] : undefined;
}

/** Pointer-field default: set only when the field is absent or null. */
export function setIfNil(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** String-field default: Go's "" counts as unset. */
export function setIfEmpty(obj: Obj, key: string, value: string): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === "") obj[key] = value;
}

/** Non-pointer int default: Go's 0 counts as unset. */
export function setIfZero(obj: Obj, key: string, value: number): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === 0) obj[key] = value;
}

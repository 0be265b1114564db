// Low-level protobuf wire-format reader (proto2, as written by Kubernetes' gogo-protobuf code).

/** Malformed or unsupported protobuf input; the API server maps it to 400/415. */
export class ProtobufError extends Error {
  override name = "ProtobufError";
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** A cursor over one message's bytes. Every read is bounds-checked so truncated input throws ProtobufError. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as an unsigned 64-bit bigint (at most 10 bytes). */
  varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError("truncated varint");
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError("varint longer than 10 bytes");
  }

  /** Reads a varint that must fit a safe non-negative integer (tags, lengths). */
  uint(): number {
    const v = this.varint64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtobufError("varint too large");
    return Number(v);
  }

  /** Reads a length-delimited payload and returns a view on it (no copy). */
  bytes(): Uint8Array {
    const len = this.uint();
    if (len > this.end - this.pos) throw new ProtobufError("length-delimited field runs past end of message");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed64(): Uint8Array {
    if (this.end - this.pos < 8) throw new ProtobufError("truncated fixed64");
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }

  fixed32(): Uint8Array {
    if (this.end - this.pos < 4) throw new ProtobufError("truncated fixed32");
    const out = this.buf.subarray(this.pos, this.pos + 4);
    this.pos += 4;
    return out;
  }

  /** Reads a field key; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const key = this.uint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new ProtobufError("field number 0 is invalid");
    return [field, key & 7];
  }

  /** Skips a field we do not know, so newer clients' extra fields do not break decoding. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.fixed64();
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.fixed32();
        return;
      default:
        // Groups (3/4) are never produced by Kubernetes; anything else is garbage.
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtobufError("string field is not valid UTF-8");
  }
}

/** Standard base64, which is how encoding/json renders []byte. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

export function readDouble(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

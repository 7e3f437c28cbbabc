import type { Type } from 'avsc';
import { Tap } from 'avsc/lib/utils';

/** Text bodies up to this size are decoded once per body; a larger one string by string. */
const SHARED_TEXT_BYTES = 64 * 1024;

/** Node's Buffer method behind toString('latin1'), without toString's argument handling. */
interface Latin1Slicing {
  latin1Slice(start: number, end: number): string;
}

/** avsc's internal entry points, the ones its own Type.encode and Type.fromBuffer call. */
interface Internals {
  _write(tap: Tap, value: unknown): void;
  _read(tap: Tap): unknown;
}

/**
 * avsc's byte cursor with faster strings, which is where most of the serde's time went: avsc
 * decodes every string with its own Buffer#utf8Slice call (~0.25 µs each on Node 20, whatever its
 * length) and measures every string with Buffer.byteLength before writing it. Here a body is
 * decoded to latin1 text once, so an ASCII string is a slice of it (latin1 and UTF-8 agree on
 * bytes below 0x80), and a short ASCII string is written in one pass. Anything else takes avsc's
 * own path, so the bytes and values are avsc's.
 */
class AsciiTap extends Tap {
  private text: string | undefined;

  reset(buf: Buffer, pos: number): void {
    this.buf = buf;
    this.pos = pos;
    this.text = undefined;
  }

  override readString(): string | undefined {
    const start = this.pos;
    const buf = this.buf;
    if (buf.length > SHARED_TEXT_BYTES) return super.readString();
    const length = this.readLong();
    const from = this.pos;
    const to = from + length;
    if (length < 0 || to > buf.length) {
      this.pos = start;
      return super.readString();
    }
    for (let i = from; i < to; i += 1) {
      if ((buf[i] as number) > 0x7f) {
        this.pos = start;
        return super.readString();
      }
    }
    this.pos = to;
    // A slice keeps the body's text alive while it lives: bounded by SHARED_TEXT_BYTES.
    this.text ??= (buf as unknown as Latin1Slicing).latin1Slice(0, buf.length);
    return this.text.slice(from, to);
  }

  override writeString(value: string): void {
    const length = value.length;
    const start = this.pos;
    const buf = this.buf;
    // Below 64 characters the length is one zigzag varint byte; a non-ASCII character or too
    // little room hands the whole string to avsc, which writes over what was started here.
    if (length < 64 && start + 1 + length <= buf.length) {
      let i = 0;
      for (; i < length; i += 1) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        buf[start + 1 + i] = code;
      }
      if (i === length) {
        buf[start] = length << 1;
        this.pos = start + 1 + length;
        return;
      }
    }
    super.writeString(value);
  }
}

// One cursor, reused as avsc reuses its own (a new one per call is slower, more so when bundled
// with keepNames, which redefines the class's name).
const tap = new AsciiTap(Buffer.alloc(0));

/** What `type.encode(value, buf, pos)` does: the end of the bytes, or minus the room missing. */
export function encodeAvro(type: Type, value: unknown, buf: Buffer, pos: number): number {
  tap.reset(buf, pos);
  (type as unknown as Internals)._write(tap, value);
  return tap.isValid() ? tap.pos : buf.length - tap.pos;
}

/**
 * What `type.fromBuffer(buf.subarray(offset), resolver)` does, same errors included, without
 * the subarray. The resolver must have been made by `type.createResolver`.
 */
export function decodeAvro(type: Type, buf: Buffer, offset: number, resolver?: unknown): unknown {
  tap.reset(buf, offset);
  const value = ((resolver ?? type) as Internals)._read(tap);
  if (!tap.isValid()) throw new Error('truncated buffer');
  if (tap.pos < buf.length) throw new Error('trailing data');
  return value;
}

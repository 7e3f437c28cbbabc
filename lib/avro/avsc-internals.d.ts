/**
 * The part of avsc's internal byte cursor that lib/avro/ascii-tap.ts builds on (avsc 5.7: it is
 * what every compiled type's _read and _write take, but the package's typings leave it out).
 * package.json pins avsc to that exact version for it; tests/unit/avro/ascii-tap.test.ts checks
 * bytes and values against avsc's own paths, so an upgrade that moves these fails there.
 */
declare module 'avsc/lib/utils' {
  export class Tap {
    constructor(buf: Buffer, pos?: number);
    buf: Buffer;
    pos: number;
    isValid(): boolean;
    readLong(): number;
    readString(): string | undefined;
    writeString(value: string): void;
    _invalidate(): void;
  }
}

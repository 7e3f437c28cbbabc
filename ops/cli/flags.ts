import { UsageError } from '../errors';

export type FlagKind = 'string' | 'boolean';
export type FlagSpec = Readonly<Record<string, FlagKind>>;
export type Flags<S extends FlagSpec> = { -readonly [K in keyof S]?: S[K] extends 'boolean' ? boolean : string };

/** `--name value`, `--name=value` and `--switch`; anything else is refused, naming it and the flags there are. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S> {
  const flags: Record<string, string | boolean> = {};
  const known = Object.keys(spec).map((name) => `--${name}`).join(', ');
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    const kind = match ? spec[match[1]!] : undefined;
    if (match === null || kind === undefined) throw new UsageError(arg, `unknown argument; the options are ${known}`);
    const name = match[1]!;
    if (kind === 'boolean') {
      if (match[2] !== undefined) throw new UsageError(`--${name}`, 'is a switch and takes no value');
      flags[name] = true;
      continue;
    }
    const value = match[2] ?? argv[i + 1];
    if (value === undefined || (match[2] === undefined && value.startsWith('--'))) throw new UsageError(`--${name}`, 'needs a value');
    if (match[2] === undefined) i += 1;
    flags[name] = value;
  }
  return flags as Flags<S>;
}

export function requireFlag(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name}`, `is required (e.g. --${name} ${example})`);
  return value.trim();
}

import { CommandLineError, type Flags, type FlagSpec, readFlags } from '../../cli/command-line';
import { UsageError } from '../errors';

export type { FlagKind, Flags, FlagSpec } from '../../cli/command-line';

/** The shared reader (cli/command-line.ts), its refusals as UsageErrors: exit code 2. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S> {
  try {
    return readFlags(argv, spec);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    throw new UsageError(error.flag, error.detail);
  }
}

export function requireFlag(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value.trim() === '')
    throw new UsageError(`--${name}`, `is required (e.g. --${name} ${example})`);
  return value.trim();
}

import { parseArgs } from 'node:util';

/**
 * The one reader of command-line flags, for ops/ and local/ alike (it imports neither): node's
 * `parseArgs` tokens, checked strictly against the flags a command declares.
 */
export type FlagKind = 'string' | 'boolean' | 'strings';
export type FlagSpec = Readonly<Record<string, FlagKind>>;
/** A 'strings' flag may be given several times; the others keep the last one given. */
export type Flags<S extends FlagSpec> = {
  -readonly [K in keyof S]?: S[K] extends 'boolean' ? boolean : S[K] extends 'strings' ? string[] : string;
};

export type FlagProblem = 'unknown' | 'needs a value' | 'takes no value';

/** A flag the command does not know, or one used wrongly; `flag` is the argument as typed, `detail` what is wrong with it. */
export class CommandLineError extends Error {
  constructor(
    readonly flag: string,
    readonly problem: FlagProblem,
    readonly detail: string,
    message = `${flag}: ${detail}`,
  ) {
    super(message);
    this.name = 'CommandLineError';
  }
}

/** `--help` was given: the caller prints its usage and exits 0. */
export class HelpRequested extends Error {
  constructor() {
    super('--help');
    this.name = 'HelpRequested';
  }
}

/** How a command words a refusal, when it words it its own way. */
export interface FlagMessages {
  readonly unknown?: (flag: string) => string;
  readonly missing?: (flag: string) => string;
}

/**
 * `--name value`, `--name=value` and `--switch` (the last one given wins); anything else is
 * refused, naming it and the flags there are. `--help` throws HelpRequested unless declared.
 */
export function readFlags<S extends FlagSpec>(argv: readonly string[], spec: S, messages: FlagMessages = {}): Flags<S> {
  const known = Object.keys(spec)
    .map((name) => `--${name}`)
    .join(', ');
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, kind]) => [name, { type: kind === 'boolean' ? 'boolean' : 'string' } as const]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean | string[]> = {};
  for (const token of tokens) {
    const arg = argv[token.index]!;
    const kind = token.kind === 'option' && arg.startsWith('--') ? spec[token.name] : undefined;
    if (kind === undefined) {
      if (token.kind === 'option' && arg === '--help') throw new HelpRequested();
      throw new CommandLineError(arg, 'unknown', `unknown argument; the options are ${known}`, messages.unknown?.(arg));
    }
    if (token.kind !== 'option') continue;
    if (kind === 'boolean') {
      if (token.inlineValue)
        throw new CommandLineError(token.rawName, 'takes no value', 'is a switch and takes no value');
      flags[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CommandLineError(token.rawName, 'needs a value', 'needs a value', messages.missing?.(token.rawName));
    }
    flags[token.name] =
      kind === 'strings' ? [...((flags[token.name] as string[] | undefined) ?? []), token.value] : token.value;
  }
  return flags as Flags<S>;
}

/**
 * For a script's entry: reads its command line with `read`; on `--help` prints the usage and
 * exits 0, on a refused argument prints the reason and the usage and exits 2.
 */
export function commandLineOf<T>(
  usage: string,
  read: (argv: readonly string[]) => T,
  argv: readonly string[] = process.argv.slice(2),
): T {
  try {
    return read(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(usage);
      process.exit(0);
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
}

import { HelpRequested } from '../../cli/command-line';
import { CdcError } from '../../lib/errors';
import { UsageError } from '../errors';
import { type CommandIo, processIo } from './io';

export type Command = (argv: readonly string[], io: CommandIo) => Promise<number>;

/** Exit codes: 0 done (or --help shown), 1 failed or not confirmed, 2 bad arguments or confirmation needed. */
export async function runCommand(
  command: Command,
  argv: readonly string[],
  io: CommandIo,
  usage = 'see docs/operations.md',
): Promise<number> {
  try {
    return await command(argv, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.out(`usage: ${usage}`);
      return 0;
    }
    io.err(`error: ${describe(error, argv)}`);
    return error instanceof UsageError || (error instanceof CdcError && error.reason === 'BAD_REQUEST') ? 2 : 1;
  }
}

/** The entry scripts: run with the process's arguments and terminal, exit with the command's code. */
export function main(command: Command, usage: string): void {
  void runCommand(command, process.argv.slice(2), processIo(), usage).then((code) => {
    process.exitCode = code;
  });
}

function describe(error: unknown, argv: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const refused = /ECONNREFUSED|connect ECONN/.test(`${message} ${String((error as { code?: unknown })?.code ?? '')}`);
  if (refused && argv.some((a, i) => (a === 'local' && argv[i - 1] === '--stage') || a === '--stage=local'))
    return `${message} (is the local stack up? npm run stack:status / npm run stack:up)`;
  if (error instanceof Error && error.name === 'CredentialsProviderError')
    return `${message} (a deployed stage uses the AWS SDK's default credentials: set AWS_PROFILE or log in)`;
  return message;
}

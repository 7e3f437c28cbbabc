/** npm run stack:up | stack:down | stack:status [-- --quiet] [-- --no-provision] */
import { commandLineOf, readFlags } from '../../cli/command-line';
import { stackDown, stackStatus, stackUp, StackError } from '.';

const log = (message: string): void => console.log(message);

const USAGE = 'usage: tsx local/stack/cli.ts up [--no-provision] | down | status [--quiet]';
const FLAGS = { up: { 'no-provision': 'boolean' }, down: {}, status: { quiet: 'boolean' } } as const;

async function main(command: string | undefined, argv: string[]): Promise<number> {
  const started = Date.now();
  if (command === '--help') {
    console.log(USAGE);
    return 0;
  }
  const spec: Record<string, 'boolean'> = FLAGS[command as keyof typeof FLAGS] ?? {};
  const flags = commandLineOf(USAGE, (args) => readFlags(args, spec), argv);
  switch (command) {
    case 'up':
      await stackUp({ provision: flags['no-provision'] !== true, log });
      log(`stack: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    case 'down':
      await stackDown(log);
      return 0;
    case 'status': {
      const services = await stackStatus();
      if (flags.quiet !== true) {
        for (const s of services) {
          const state =
            s.pid === null ? 'stopped' : s.healthy ? `running (pid ${s.pid})` : `NOT ANSWERING (pid ${s.pid})`;
          log(`${s.name.padEnd(10)} ${s.address.padEnd(16)} ${state.padEnd(22)} ${s.log}`);
        }
      }
      // Exit 0 only when every service is up and answering: scripts can test it.
      return services.every((s) => s.healthy) ? 0 : 3;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof StackError ? `stack: ${error.message}` : error);
    process.exit(1);
  },
);

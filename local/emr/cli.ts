/**
 * The local job runner's command line, for the job launcher on stage local (ProcessJobRunner):
 *   cli.ts <application> <role arn> active-runs | start <spec json> <client token> | state <job run id>
 *     | failed-since <ISO time> | cancel <job run id>
 * Answers one JSON value on the last line of stdout.
 */
import '../../stage/local-aws';
import type { JobSpec } from '../../lib/jobs';
import { LocalSparkRunner } from './local-runner';

async function main([application, role, command, ...args]: string[]): Promise<unknown> {
  const runner = new LocalSparkRunner(application ?? '', role ?? '');
  if (command === 'active-runs') return runner.activeRuns();
  if (command === 'start') return runner.start(JSON.parse(args[0] ?? '{}') as JobSpec, args[1] ?? '');
  if (command === 'state') return runner.state(args[0] ?? '');
  if (command === 'cancel') return runner.cancel(args[0] ?? '').then(() => null);
  if (command === 'failed-since') return runner.failedSince(new Date(args[0] ?? ''));
  throw new Error(`unknown command ${command}`);
}

main(process.argv.slice(2)).then(
  (answer) => console.log(JSON.stringify(answer)),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

/** The source simulator as a process: `node --import tsx local/simulator/main.ts --port 8080 …` (see USAGE). */
import { commandLineOf } from '../../cli/command-line';
import { readCliConfig, USAGE } from './cli-config';
import { startSimulatorServer } from './index';

function logLine(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}

async function main(): Promise<void> {
  // A bad flag exits 2 with the usage, --help exits 0 with it.
  const config = commandLineOf(USAGE, (argv) => readCliConfig(argv, process.env));
  const running = await startSimulatorServer({
    ...config,
    log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
  });
  logLine({
    level: 'info',
    msg: 'simulator listening',
    url: running.url,
    seed: config.seed,
    initialEvents: config.initialEvents,
    auth: config.token === undefined ? 'none' : 'bearer',
    faults: running.simulator.faults,
  });
  let closing = false;
  const shutDown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logLine({ level: 'info', msg: 'simulator closing', signal });
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logLine({ level: 'error', msg: 'simulator close failed', error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('SIGINT', () => shutDown('SIGINT'));
}

main().catch((error: unknown) => {
  logLine({
    level: 'error',
    msg: 'simulator failed to start',
    error: error instanceof Error ? error.message : String(error),
  });
  process.stderr.write(`${USAGE}\n`);
  process.exit(1);
});

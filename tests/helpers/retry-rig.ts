/**
 * A private copy of the pipeline with the poller and the retry function in the local runtime,
 * for the retry function's integration files; `runCleanups` tears down what `setUp` made.
 */
import { type Runtime, startRuntime } from '../../local/runtime';
import { scanAll } from '../../local/scratch-tables';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import type { TopicMessage } from '../../local/demo/pipeline';
import { type IsolatedPipeline, isolatedPipeline } from './isolated-pipeline';
import { localConfig } from './local-stack';
import { waitFor } from './runtime';

/** What a test set up, undone in reverse order by `runCleanups` (call it from `afterAll`). */
export const cleanups: (() => Promise<unknown>)[] = [];
export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup();
}

/** Fast backoff and a short schema TTL, so the test does not wait minutes; everything else as deployed. */
const FAST = {
  CDC_RETRY_BACKOFF_BASE_SECONDS: '1',
  CDC_RETRY_BACKOFF_CAP_SECONDS: '2',
  CDC_SCHEMA_LATEST_TTL_SECONDS: '0',
};

export async function setUp(
  options: { env?: Record<string, string>; schemas?: Record<string, string>; faults?: Record<string, number> } = {},
): Promise<{ p: IsolatedPipeline; rt: Runtime; sim: RunningSimulator; logs: string[] }> {
  const sim = await startSimulatorServer({ seed: 31, faults: options.faults ?? {} });
  cleanups.push(() => sim.close());
  const p = await isolatedPipeline({
    functions: ['poller', 'retry'],
    sourceUrl: sim.url,
    env: { ...FAST, ...options.env },
    schemas: options.schemas,
  });
  cleanups.push(() => p.close());
  const logs: string[] = [];
  const rt = await startRuntime(await localConfig(), p.definitions, { log: (line) => logs.push(line) });
  cleanups.push(() => rt.stop());
  return { p, rt, sim, logs };
}

export const parked = async (p: IsolatedPipeline) =>
  (await scanAll(p.dynamodb, p.fallbackTable)) as {
    id: string;
    updatedAt: string;
    status: string;
    reason: string;
    attempts: number;
  }[];
export const identity = (m: TopicMessage): string => `${m.key}@${String(m.value.updatedAt)}`;

export async function sweepUntilEmpty(
  rt: Runtime,
  p: IsolatedPipeline,
  keep: (i: { status: string }) => boolean = () => true,
): Promise<void> {
  await waitFor(
    'the fallback table to drain',
    async () => {
      await rt.fire('retry', { sweep: true });
      return (await parked(p)).filter(keep).length === 0 ? true : undefined;
    },
    90_000,
  );
}

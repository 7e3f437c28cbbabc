/**
 * The source API token never reaches a log: every line the poller writes through the local
 * runtime (its own JSON logs, the runtime's START/END lines, error messages) is searched for it,
 * on a good run and on a run the source refuses.
 */
import { randomBytes } from 'node:crypto';
import { parseInvocationLine } from '../../lib/lambda/summary';
import type { PollSummary } from '../../lib/poller';
import { type Runtime, startRuntime } from '../../local/runtime';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localConfig } from '../helpers/local-stack';

const TOKEN = `tok_${randomBytes(18).toString('hex')}`;
let sim: RunningSimulator;
let p: IsolatedPipeline;
const lines: string[] = [];

beforeAll(async () => {
  sim = await startSimulatorServer({ seed: 5, token: TOKEN, faults: { rate5xx: 0.2, malformedRate: 0.2 } });
  p = await isolatedPipeline({
    functions: ['poller'],
    sourceUrl: sim.url,
    env: { CDC_SOURCE_TOKEN: TOKEN, CDC_POLL_PAGE_LIMIT: '10' },
  });
});

afterAll(async () => {
  await sim?.close();
  await p?.close();
});

async function withRuntime(env: Record<string, string>, use: (rt: Runtime) => Promise<void>): Promise<void> {
  const definitions = p.definitions.map((d) => ({ ...d, environment: { ...d.environment, ...env } }));
  const rt = await startRuntime(await localConfig(), definitions, { log: (line) => lines.push(line) });
  try {
    await use(rt);
  } finally {
    await rt.stop();
  }
}

describe('the source token', () => {
  it('is sent, and appears in no log line of a run with retries and parked records, nor of a refused one', async () => {
    sim.simulator.generate(300, ['customer']);
    await withRuntime({}, async (rt) => {
      const summary = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
      expect(summary.published).toBeGreaterThan(0);
      expect(summary.pages).toBeGreaterThan(5);
    });
    const wrong = `${TOKEN.slice(0, -4)}beef`;
    await withRuntime({ CDC_SOURCE_TOKEN: wrong }, async (rt) => {
      await expect(rt.fire('poller', { entity: 'customer' })).rejects.toThrow(/401|refused|token/i);
    });
    // The logs did cover the interesting paths: many pages, parked malformed records, the refusal.
    const polls = lines
      .map((l) => parseInvocationLine<PollSummary>(l.replace(/^\[poller\] /, '')))
      .filter((l) => l?.function === 'poller' && l.outcome === 'ok');
    expect(polls.some((l) => (l?.summary?.pages ?? 0) > 5)).toBe(true);
    expect(lines.some((l) => l.includes('MALFORMED_EVENT'))).toBe(true);
    expect(lines.some((l) => l.includes('answered 401'))).toBe(true);
    expect(lines.filter((l) => l.includes(TOKEN) || l.includes(wrong) || l.includes(TOKEN.slice(4, 20)))).toEqual([]);
  });
});

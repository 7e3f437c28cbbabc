import type { ScheduleTrigger } from '../../../local/runtime/definitions';
import { type Clock, runSchedule } from '../../../local/runtime/scheduler';

function fakeClock(startIso: string): Clock & { fired: string[] } {
  let now = Date.parse(startIso);
  return {
    fired: [],
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

async function firstFires(
  trigger: ScheduleTrigger,
  n: number,
  startIso = '2026-11-25T10:00:00.000Z',
): Promise<{ at: string; event: unknown }[]> {
  const clock = fakeClock(startIso);
  const controller = new AbortController();
  const fires: { at: string; event: unknown }[] = [];
  await runSchedule(
    trigger,
    'rule-1',
    (event) => {
      fires.push({ at: new Date(clock.now()).toISOString(), event });
      if (fires.length === n) controller.abort();
    },
    controller.signal,
    clock,
  );
  return fires;
}

describe('the local EventBridge schedule', () => {
  it('fires a rate at the expected cadence with the rule input as the event', async () => {
    const fires = await firstFires(
      { kind: 'schedule', expression: 'rate(5 minutes)', input: { entity: 'customer' }, enabled: true },
      3,
    );
    expect(fires).toEqual([
      { at: '2026-11-25T10:05:00.000Z', event: { entity: 'customer' } },
      { at: '2026-11-25T10:10:00.000Z', event: { entity: 'customer' } },
      { at: '2026-11-25T10:15:00.000Z', event: { entity: 'customer' } },
    ]);
  });

  it('fires a cron at its minutes with the Scheduled Event envelope when there is no input', async () => {
    const fires = await firstFires(
      { kind: 'schedule', expression: 'cron(0/20 * * * ? *)', enabled: true },
      2,
      '2026-11-25T10:05:00.000Z',
    );
    expect(fires.map((f) => f.at)).toEqual(['2026-11-25T10:20:00.000Z', '2026-11-25T10:40:00.000Z']);
    expect(fires[0]?.event).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-25T10:20:00Z',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/rule-1'],
      detail: {},
    });
  });

  it('does not fire a disabled schedule', async () => {
    expect(await firstFires({ kind: 'schedule', expression: 'rate(1 minute)', enabled: false }, 1)).toEqual([]);
  });
});

import { alarmsInSight } from '../../../../local/demo/metrics-seen';
import type { PipelineStatus } from '../../../../ops/status/pipeline-status';

const health = (entity: string, backlogAgeSeconds: number | null, findings: string[] = []) => ({
  entity,
  verdict: findings.length > 0 ? 'ALARM' : 'OK',
  lastHeartbeat: null,
  checkpointLagSeconds: null,
  backlogAgeSeconds,
  deadLetters: 0,
  lastJobRun: null,
  findings,
});

describe("the demo's alarms in sight", () => {
  it('names the alarms firing now, and how long the outage may last before the backlog alarm fires', () => {
    const status = {
      health: [
        health('customer', 20),
        health('invoice', null, ['ALARM: 2 poller run(s) failed in the last 60 s']),
        health('payment', 5000, ['ALARM: fallback backlog age 5000 s, over 3600 s']),
      ],
    } as unknown as PipelineStatus;
    expect(alarmsInSight(status, 3600)).toEqual([
      'invoice: fires now: 2 poller run(s) failed in the last 60 s',
      'payment: fires now: fallback backlog age 5000 s, over 3600 s',
      'customer: FallbackBacklogAgeAlarm fires if the outage lasts 3580 s more (the oldest parked event waits 20 s of alarmBacklogAgeSeconds 3600)',
    ]);
    expect(alarmsInSight(status, 3600, /failed/)).not.toContain(
      'invoice: fires now: 2 poller run(s) failed in the last 60 s',
    );
  });
});

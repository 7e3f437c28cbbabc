import { randomUUID } from 'node:crypto';
import type { ScheduleTrigger } from './definitions';
import { parseSchedule } from './schedule-expression';
import { abortableSleep } from './sleep';

export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: abortableSleep };

/**
 * What EventBridge sends: the rule's `input` verbatim when one is configured, otherwise the
 * "Scheduled Event" envelope.
 */
export function scheduledEvent(trigger: ScheduleTrigger, ruleName: string, time: Date): unknown {
  if (trigger.input !== undefined) return trigger.input;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [`arn:aws:events:${process.env.AWS_REGION ?? 'us-east-1'}:123456789012:rule/${ruleName}`],
    detail: {},
  };
}

/**
 * Fires `invoke` at each fire time of the trigger until aborted. Like EventBridge, a schedule
 * does not wait for the previous invocation to finish (the host queues it).
 */
export async function runSchedule(
  trigger: ScheduleTrigger,
  ruleName: string,
  invoke: (event: unknown) => void,
  signal: AbortSignal,
  clock: Clock = REAL_CLOCK,
): Promise<void> {
  if (!trigger.enabled) return;
  const schedule = parseSchedule(trigger.expression, new Date(clock.now()));
  let last = new Date(clock.now());
  while (!signal.aborted) {
    const next = schedule.next(last);
    await clock.sleep(Math.max(0, next.getTime() - clock.now()), signal);
    if (signal.aborted) return;
    invoke(scheduledEvent(trigger, ruleName, next));
    last = next;
  }
}

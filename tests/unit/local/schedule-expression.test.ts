import { parseSchedule } from '../../../local/runtime/schedule-expression';

const at = (iso: string): Date => new Date(iso);
function fires(expression: string, fromIso: string, n: number, anchorIso = fromIso): string[] {
  const schedule = parseSchedule(expression, at(anchorIso));
  const out: string[] = [];
  let t = at(fromIso);
  for (let i = 0; i < n; i += 1) {
    t = schedule.next(t);
    out.push(t.toISOString());
  }
  return out;
}

describe('EventBridge schedule expressions', () => {
  it('fires a rate every period, counted from when the rule started', () => {
    expect(fires('rate(5 minutes)', '2026-11-25T10:00:30.000Z', 3)).toEqual([
      '2026-11-25T10:05:30.000Z',
      '2026-11-25T10:10:30.000Z',
      '2026-11-25T10:15:30.000Z',
    ]);
    expect(fires('rate(1 hour)', '2026-11-25T10:00:00.000Z', 2)).toEqual([
      '2026-11-25T11:00:00.000Z',
      '2026-11-25T12:00:00.000Z',
    ]);
  });

  it('refuses "1 minutes" and "5 minute" like EventBridge does', () => {
    expect(() => parseSchedule('rate(1 minutes)')).toThrow('EventBridge wants "1 minute" and "1 minutes"');
    expect(() => parseSchedule('rate(5 minute)')).toThrow(/EventBridge wants/);
  });

  it('fires a cron with steps at the listed minutes, in UTC', () => {
    expect(fires('cron(0/15 * * * ? *)', '2026-11-25T10:07:00.000Z', 3)).toEqual([
      '2026-11-25T10:15:00.000Z',
      '2026-11-25T10:30:00.000Z',
      '2026-11-25T10:45:00.000Z',
    ]);
  });

  it('counts day-of-week from 1 = SUN and accepts names', () => {
    // 2026-11-25 is a Wednesday.
    expect(fires('cron(0 9 ? * MON-FRI *)', '2026-11-27T10:00:00.000Z', 2)).toEqual([
      '2026-11-30T09:00:00.000Z',
      '2026-12-01T09:00:00.000Z',
    ]);
    expect(fires('cron(30 6 ? * 1 *)', '2026-11-25T00:00:00.000Z', 1)).toEqual(['2026-11-29T06:30:00.000Z']);
  });

  it('fires on a day of the month', () => {
    expect(fires('cron(0 0 1 JAN,JUL ? *)', '2026-11-25T00:00:00.000Z', 2)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-07-01T00:00:00.000Z',
    ]);
  });

  it('explains what it does not accept', () => {
    expect(() => parseSchedule('cron(0 0 * * * *)')).toThrow('exactly one of day-of-month and day-of-week must be "?"');
    expect(() => parseSchedule('cron(0 0 L * ? *)')).toThrow('uses L, W or #');
    expect(() => parseSchedule('every 5 minutes')).toThrow('not an EventBridge schedule expression');
    expect(() => parseSchedule('cron(0 25 * * ? *)')).toThrow('"25" is outside 0-23');
  });
});

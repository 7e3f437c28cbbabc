/**
 * EventBridge schedule expressions: `rate(value unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC.
 * Day-of-week follows EventBridge (1 = SUN … 7 = SAT); one of day-of-month / day-of-week
 * must be `?`. L, W and # are refused with a clear error rather than approximated.
 */
export interface Schedule {
  readonly expression: string;
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
}

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function parseSchedule(expression: string, anchor: Date = new Date()): Schedule {
  const rate = RATE.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = String(rate[2]).replace(/s$/, '');
    if (value < 1) throw new Error(`${expression}: the rate must be at least 1`);
    if ((value === 1) !== !String(rate[2]).endsWith('s'))
      throw new Error(`${expression}: EventBridge wants "1 ${unit}" and "${value} ${unit}s"`);
    const period = value * (UNIT_MS[unit] ?? 60_000);
    // Like EventBridge, a rate counts from when the rule was created (here: when the runner started).
    return {
      expression,
      next: (after) =>
        new Date(anchor.getTime() + (Math.floor((after.getTime() - anchor.getTime()) / period) + 1) * period),
    };
  }
  const cron = CRON.exec(expression.trim());
  if (cron) return cronSchedule(expression, String(cron[1]));
  throw new Error(`${expression}: not an EventBridge schedule expression (rate(...) or cron(...))`);
}

function cronSchedule(expression: string, body: string): Schedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new Error(`${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new Error(`${expression}: exactly one of day-of-month and day-of-week must be "?"`);
  const fields = {
    minutes: field(expression, min, 0, 59),
    hours: field(expression, hour, 0, 23),
    dom: dom === '?' ? undefined : field(expression, dom, 1, 31),
    months: field(expression, month, 1, 12, MONTHS, 1),
    dow: dow === '?' ? undefined : field(expression, dow, 1, 7, DAYS, 1),
    years: field(expression, year, 1970, 2199),
  };
  return {
    expression,
    next: (after) => {
      const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      for (let i = 0; i < 5 * 366 * 24 * 60; i += 1) {
        if (matches(fields, t)) return t;
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      throw new Error(`${expression}: no fire time within 5 years`);
    },
  };
}

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number> | undefined;
  months: Set<number>;
  dow: Set<number> | undefined;
  years: Set<number>;
}

function matches(f: CronFields, t: Date): boolean {
  return (
    f.minutes.has(t.getUTCMinutes()) &&
    f.hours.has(t.getUTCHours()) &&
    f.months.has(t.getUTCMonth() + 1) &&
    f.years.has(t.getUTCFullYear()) &&
    (f.dom === undefined || f.dom.has(t.getUTCDate())) &&
    (f.dow === undefined || f.dow.has(t.getUTCDay() + 1))
  );
}

function field(
  expression: string,
  spec: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = 0,
): Set<number> {
  if (spec.includes('#') || spec.split(/[,/-]/).some((t) => /^(\d*L|LW|\d+W)$/i.test(t))) {
    throw new Error(`${expression}: "${spec}" uses L, W or #, which the local runner does not support`);
  }
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + nameBase : Number(token);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${expression}: "${token}" is outside ${min}-${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${expression}: bad step in "${part}"`);
    const [from, last] =
      range === '*' || range === '?'
        ? [min, max]
        : range.includes('-')
          ? (range.split('-').map(value) as [number, number])
          : [value(range), value(range)];
    // "5/15" means from 5 to the end of the range in steps of 15.
    const to = stepText !== undefined && !range.includes('-') && range !== '*' ? max : last;
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

/**
 * A schedule's period in seconds: `rate(5 minutes)`; a cron schedule counts as hourly (its period
 * is not one number). resources/alarms.js reads rates the same way (it cannot import TypeScript).
 */
export function schedulePeriodSeconds(rate: unknown): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(String(rate).trim());
  if (!match) return 3600;
  const unit: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };
  return Number(match[1]) * (unit[match[2]!] ?? 60);
}

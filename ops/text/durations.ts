/** 42s, 7m 5s, 3h 12m, 2d 4h: the two largest units, enough to judge a lag at a glance. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !/^0/.test(p)).join(' ');
}

export function ago(iso: string, now: Date): string {
  return `${humanDuration((now.getTime() - Date.parse(iso)) / 1000)} ago`;
}

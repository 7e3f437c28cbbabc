/**
 * ISO-8601 text ⇄ epoch numbers by arithmetic on character codes, for the shapes the source
 * sends (the proleptic Gregorian calendar, as Date uses). Each function answers `undefined` for
 * anything outside its plain case; the logical types then take the exact, slower path of regex
 * + Date, so what is accepted and what it means stays what Date decides.
 */
const DAY_MS = 86_400_000;
const ZERO = 48;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
/** 9999-12-31T23:59:59.999Z: the last instant toISOString writes with a four-digit year. */
const MAX_FOUR_DIGIT_MS = 253_402_300_799_999;
const MAX_FOUR_DIGIT_DAY = 2_932_896;

/** `YYYY-MM-DDTHH:mm:ss[.s{1,3}](Z|±HH:mm)` with every field in range, as epoch ms. */
export function parseIsoInstant(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length > 29) return undefined;
  const date = parseIsoDay(text);
  if (date === undefined || text.charCodeAt(10) !== 84 /* T */) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (!(hour < 24 && minute < 60 && second < 60)) return undefined;
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 46 /* . */) {
    let scale = 100;
    for (at += 1; at < length && scale >= 1; at += 1, scale /= 10) {
      const digit = text.charCodeAt(at) - ZERO;
      if (!(digit >= 0 && digit <= 9)) break;
      millis += digit * scale;
    }
    if (scale === 100) return undefined;
  }
  const zone = text.charCodeAt(at);
  let offsetMs = 0;
  if (zone === 90 /* Z */) {
    if (at + 1 !== length) return undefined;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    if (at + 6 !== length || text.charCodeAt(at + 3) !== 58) return undefined;
    const offsetHour = twoDigits(text, at + 1);
    const offsetMinute = twoDigits(text, at + 4);
    if (!(offsetHour < 24 && offsetMinute < 60)) return undefined;
    offsetMs = (offsetHour * 60 + offsetMinute) * 60_000 * (zone === 43 ? 1 : -1);
  } else {
    return undefined;
  }
  return date * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offsetMs;
}

/** The first ten characters as `YYYY-MM-DD` of a day that exists, as days since the epoch. */
export function parseIsoDay(text: string): number | undefined {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return undefined;
  return daysFromCivil(year, month, day);
}

/**
 * `YYYY-MM-DD` of days since the epoch, remembering the last day (one entry): the instants one
 * field decodes one after another mostly fall on the same day.
 */
export class DayFormatter {
  private lastDay = -1;
  private lastText = '';

  format(days: number): string {
    if (days !== this.lastDay) {
      this.lastText = formatDay(days);
      this.lastDay = days;
    }
    return this.lastText;
  }
}

/** What `new Date(millis).toISOString()` writes, for instants of four-digit years from 1970. */
export function formatIsoInstant(millis: number, dayFormatter: DayFormatter): string | undefined {
  if (!(millis >= 0 && millis <= MAX_FOUR_DIGIT_MS) || !Number.isInteger(millis)) return undefined;
  const days = Math.floor(millis / DAY_MS);
  // Under a day's milliseconds the rest fits in 32 bits: integer arithmetic from here on.
  let rest = (millis - days * DAY_MS) | 0;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  return `${dayFormatter.format(days)}T${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${msText}Z`;
}

/** What `new Date(days * 86400000).toISOString().slice(0, 10)` writes, for days from 1970 to 9999. */
export function formatIsoDay(days: number, dayFormatter: DayFormatter): string | undefined {
  if (!(days >= 0 && days <= MAX_FOUR_DIGIT_DAY) || !Number.isInteger(days)) return undefined;
  return dayFormatter.format(days);
}

function formatDay(days: number): string {
  // Civil from days (H. Hinnant's algorithm), for days >= 0.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const century = Math.floor(year / 100);
  return `${TWO_DIGITS[century]}${TWO_DIGITS[year - century * 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Two decimal digits at `at`, or NaN (which fails every range check) if either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - ZERO;
  const units = text.charCodeAt(at + 1) - ZERO;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : Number.NaN;
}

import type { ParkedItem } from '../../lib/fallback';
import { renderTable } from '../text/table';
import type { DeadLetterListingResult } from './list-dead-letters';
import type { ParkedListing, ParkedRow } from './list-parked';

/** Table cells stay on one line and short; --json and `parked show` have the whole text. */
const MAX_CELL = 60;
const SHOWN_FIELDS = 3;

const clip = (text: string, max = MAX_CELL): string => {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
};

export function formatParkedListing(listing: ParkedListing): string {
  const { entity, status, reason } = listing.filter;
  const narrowed = [
    entity === undefined ? undefined : `entity ${entity}`,
    status === undefined ? undefined : `status ${status}`,
    reason === undefined ? undefined : `reason ${reason}`,
  ].filter((part) => part !== undefined);
  const title = `Parked items in ${listing.location}${narrowed.length === 0 ? '' : ` (${narrowed.join(', ')})`}`;
  if (listing.rows.length === 0) return `${title}: none.`;
  const table = renderTable(
    ['ENTITY', 'ID', 'STATUS', 'REASON', 'ATTEMPTS', 'NEXT ATTEMPT', 'FIELDS', 'ERROR'],
    listing.rows.map((r) => [
      r.entity,
      clip(r.id, 40),
      r.status,
      r.reason,
      String(r.attempts),
      r.nextAttemptAt,
      fieldsCell(r),
      clip(r.error),
    ]),
  );
  return [
    `${title}: ${listing.rows.length} shown${listing.more ? ', more exist' : ''}.`,
    '',
    table,
    ...(listing.more ? ['', moreHint(listing.limit, 'narrow with --entity, --status or --reason')] : []),
    '',
    'One key in full: npm run parked -- show <entity> <id> --stage <stage> [--payload]',
  ].join('\n');
}

function fieldsCell(row: ParkedRow): string {
  if (row.fields.length === 0) return '-';
  const inAll = row.fieldsInAll ?? row.fields.length;
  const shown = row.fields.slice(0, SHOWN_FIELDS).map((f) => clip(f, 30));
  return inAll > shown.length ? `${shown.join(', ')} (+${inAll - shown.length})` : shown.join(', ');
}

const moreHint = (limit: number, narrow: string): string =>
  `More match than the ${limit} shown (stopped there: nothing further was read): ${narrow}, or raise --limit (at most 1000).`;

/** What `show` prints of an item's payload unless asked for it: its size or where it is, never its content. */
export function redactedPayload(item: ParkedItem): string {
  if (item.payload !== undefined) return `<redacted: ${Buffer.byteLength(item.payload)} bytes>`;
  if (item.payloadS3 !== undefined) return `<redacted: in s3://${item.payloadS3.bucket}/${item.payloadS3.key}>`;
  return '<none>';
}

/** One shown item: the item as the table holds it, its payload redacted or (with --payload) resolved. */
export type ShownItem = Omit<ParkedItem, 'payload'> & { readonly payload: unknown };

export function shownItem(item: ParkedItem, payload?: { readonly value: unknown }): ShownItem {
  return { ...item, payload: payload === undefined ? redactedPayload(item) : payload.value };
}

/** `revealed`: the items' payloads are their content (--payload), not the redaction. */
export function formatParkedKey(
  entity: string,
  id: string,
  location: string,
  items: readonly ShownItem[],
  revealed: boolean,
): string {
  if (items.length === 0) return `Nothing is parked for ${entity} ${id} in ${location}.`;
  const blocks = items.map((item, i) => formatItem(item, i + 1, revealed));
  return [`${entity} ${id}: ${items.length} parked item(s) in ${location}, oldest first`, ...blocks].join('\n\n');
}

function formatItem(item: ShownItem, n: number, revealed: boolean): string {
  const fields: [string, string | undefined][] = [
    ['status', item.status],
    ['reason', item.reason],
    ['updated at', item.updatedAt],
    ['event id', item.eventId],
    ['attempts', String(item.attempts)],
    ['first seen', item.firstSeenAt],
    ['next attempt', item.nextAttemptAt],
    ['error', item.error],
    ['claimed by', item.claimedBy === undefined ? undefined : `${item.claimedBy} until ${item.claimUntil ?? '?'}`],
    ['superseded by', item.supersededBy],
    ['stale because', item.staleBecause],
  ];
  const lines = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `  ${k.padEnd(14)}${v}`);
  for (const v of item.violations ?? [])
    lines.push(`  ${'field'.padEnd(14)}${v.path || '(record)'}: expected ${v.expected}, got ${v.received}`);
  for (const h of item.history ?? []) lines.push(`  ${'attempt'.padEnd(14)}${h.at}: ${h.error}`);
  const payload = revealed
    ? JSON.stringify(item.payload ?? null, null, 2).replace(/\n/g, `\n${' '.repeat(16)}`)
    : `${String(item.payload)} (--payload shows it)`;
  lines.push(`  ${'payload'.padEnd(14)}${payload}`);
  return [`[${n}] ${item.sk}`, ...lines].join('\n');
}

export function formatDeadLetters(listing: DeadLetterListingResult): string {
  const title = `Dead letters in ${listing.location}${listing.entity === undefined ? '' : `entity=${listing.entity}/`}`;
  if (listing.rows.length === 0) return `${title}: none.`;
  const table = renderTable(
    ['ENTITY', 'RECORD', 'KEY', 'REASON', 'DEAD-LETTERED AT', 'BYTES', 'ERROR'],
    listing.rows.map((r) =>
      r.readable
        ? [
            r.entity,
            `${r.topic}[${r.partition}]@${r.offset}`,
            clip(r.recordKey ?? '-', 40),
            r.reason,
            r.deadLetteredAt,
            String(r.valueBytes),
            clip(r.error),
          ]
        : [r.entity, r.key, '-', 'UNREADABLE', '-', '-', clip(r.why)],
    ),
  );
  return [
    `${title}: ${listing.rows.length} shown${listing.more ? ', more exist' : ''}.`,
    '',
    table,
    ...(listing.more ? ['', moreHint(listing.limit, 'narrow with --entity')] : []),
    '',
    'Their items wait in the fallback table as AMBIGUOUS: npm run parked -- --stage <stage> --status AMBIGUOUS; re-drive them with npm run redrive-consumer.',
  ].join('\n');
}

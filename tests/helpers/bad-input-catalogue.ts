/**
 * The bad-input catalogue: one row per kind of bad input from the source, each run through the
 * real poller core (HTTP source, normalisation, validation against the customer schema, Glue
 * serde) with an in-memory checkpoint and publisher, and a fallback store given by the test: the
 * in-memory fake (tests/unit) or the real DynamoDB adapter on moto (tests/integration). Each row
 * has its expected outcome: the reason code, and where the event ends up. A valid change is
 * served beside every bad record, and must be published whatever its neighbour is.
 */
import { InMemoryCheckpointStore } from '../../lib/checkpoint';
import { jsonText } from '../../lib/change/json-text';
import type { FallbackStore, ParkedEvent } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { InMemoryPublisher } from '../../lib/publish';
import { InMemorySchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { DEFAULT_MAPPING, HttpSource } from '../../lib/source';
import { type ScriptedResponse, scriptedServer } from './scripted-server';
import { schemaFile } from './schemas';

/** A fallback store under test and a way to read back what it holds, as parked events. */
export interface FallbackHarness {
  readonly store: FallbackStore;
  parked(): Promise<ParkedEvent[]>;
}

const T = '2026-03-01T10:00:00.000Z';
const customer = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  displayName: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: null,
  address: { line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
  balance: 12.5,
  active: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const invoice = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  customerId: 'c-good',
  currency: 'EUR',
  status: 'OPEN',
  lines: [{ sku: 'S-1', description: null, quantity: 2, unitPrice: 5 }],
  total: 10,
  dueDate: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const change = (
  id: string,
  over: Record<string, unknown> = {},
  data: Record<string, unknown> | null = customer(id),
): Record<string, unknown> => ({ id, op: 'UPSERT', updatedAt: T, data, ...over });
const GOOD = change('c-good', { updatedAt: '2026-03-01T09:59:59.000Z' });
const page = (...events: unknown[]): ScriptedResponse => ({ body: { events, nextPageToken: null } });

/** A page of GOOD and one record given as JSON text (for what JSON.stringify cannot write: 1e400, lone escapes, 100,000 levels). */
const rawPage = (record: string): ScriptedResponse => ({
  body: `{"events":[${JSON.stringify(GOOD)},${record}],"nextPageToken":null}`,
});
const deepJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const undeclared = (count: number): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`x${i.toString(36).padStart(3, '0')}`, 1]));
const LONG_ID = `c-${'x'.repeat(3000)}`;

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { inner: value };
  return value;
}

export type Outcome =
  /** Parked in the fallback table with this status and reason; the good change published; the checkpoint passes both. */
  | { parked: { status: 'AMBIGUOUS'; reason: string; error: RegExp } }
  /** Published like any valid change. */
  | { published: true }
  /** The run fails with this error; the checkpoint stays where it was, so the next run reads the page again. */
  | { runFails: RegExp };

export interface Row {
  readonly input: string;
  /** customer unless said otherwise; the bad record's id is c-1 (i-1 for invoices). */
  readonly entity?: 'customer' | 'invoice';
  readonly responses: ScriptedResponse[];
  readonly outcome: Outcome;
}

export const CATALOGUE: Row[] = [
  {
    input: 'not JSON at all',
    responses: [{ body: '{"events": [ {"id": "c-1", ' }],
    outcome: { runFails: /answered 200 with a body that is not JSON/ },
  },
  {
    input: 'JSON but not an object (a number)',
    responses: [page(GOOD, 42)],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /record is number, not an object/ } },
  },
  {
    input: 'JSON but not an object (an array)',
    responses: [page(GOOD, ['c-1', T])],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /record is an array, not an object/ } },
  },
  {
    input: 'missing id',
    responses: [page(GOOD, { op: 'UPSERT', updatedAt: T, data: customer('c-1') })],
    outcome: {
      parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got nothing/ },
    },
  },
  {
    input: 'empty id',
    responses: [page(GOOD, change('', {}, customer('')))],
    outcome: {
      parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got ""/ },
    },
  },
  {
    input: 'id of the wrong type',
    responses: [page(GOOD, change('c-1', { id: 17 }))],
    outcome: {
      parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got 17/ },
    },
  },
  {
    input: 'unparseable timestamp',
    responses: [page(GOOD, change('c-1', { updatedAt: 'yesterday' }))],
    outcome: {
      parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /updatedAt must be an ISO-8601 instant/ },
    },
  },
  {
    input: 'timestamp in the future',
    responses: [page(GOOD, change('c-1', { updatedAt: new Date(Date.now() + 86_400_000).toISOString() }))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /is in the future/ } },
  },
  {
    input: 'timestamp at epoch 0',
    responses: [page(GOOD, change('c-1', { updatedAt: '1970-01-01T00:00:00.000Z' }))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /at or before the Unix epoch/ } },
  },
  {
    input: 'unknown op',
    responses: [page(GOOD, change('c-1', { op: 'MERGE' }))],
    outcome: {
      parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /op must be UPSERT or DELETE, got "MERGE"/ },
    },
  },
  {
    input: 'wrong field type',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', { active: 'yes' })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.active: expected boolean/ } },
  },
  {
    input: 'extra field',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', { favouriteColour: 'teal' })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.favouriteColour/ } },
  },
  {
    input: 'unknown enum symbol',
    entity: 'invoice',
    responses: [
      page(
        change('i-good', { updatedAt: '2026-03-01T09:59:59.000Z' }, invoice('i-good')),
        change('i-1', {}, invoice('i-1', { status: 'REFUNDED' })),
      ),
    ],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.status/ } },
  },
  {
    input: 'huge string (100 KB name)',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', { displayName: 'x'.repeat(100_000) })))],
    outcome: { published: true },
  },
  {
    input: 'record larger than 400 KB',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', { displayName: 'x'.repeat(420_000) })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'PAYLOAD_TOO_LARGE', error: /over the 409600-byte limit/ } },
  },
  {
    input: 'deeply nested object (2,000 levels)',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', { address: nested(2000) })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /nested deeper than 32 levels/ } },
  },
  {
    input: 'bytes that are not UTF-8',
    responses: [
      {
        body: Buffer.concat([
          Buffer.from(
            '{"events":[{"id":"c-1","op":"UPSERT","updatedAt":"2026-03-01T10:00:00.000Z","data":{"displayName":"Ad',
          ),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}}],"nextPageToken":null}'),
        ]),
      },
    ],
    outcome: { runFails: /not valid UTF-8/ },
  },
  {
    input: 'HTML error page with status 200',
    responses: [
      { body: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } },
    ],
    outcome: { runFails: /answered 200 with a body that is not JSON \(starts with "<!DOCTYPE html>/ },
  },
  {
    input: 'empty pages whose next-page token never ends',
    responses: Array.from({ length: 20 }, (_, i) => ({ body: { events: [], nextPageToken: `t${i}` } })),
    outcome: { runFails: /5 empty pages in a row that still point to a next page/ },
  },
  {
    input: 'a page token that repeats',
    responses: [{ body: { events: [], nextPageToken: 'again' } }],
    outcome: { runFails: /returned page token "again" twice/ },
  },
  // Hostile records that once failed the run on every retry (parking refused, or a RangeError), freezing the entity.
  {
    input: 'the same invalid change twice in one page',
    responses: [
      page(
        GOOD,
        change('c-1', {}, customer('c-1', { active: 'yes' })),
        change('c-1', {}, customer('c-1', { active: 'yes' })),
      ),
    ],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.active: expected boolean/ } },
  },
  {
    input: 'the same malformed entry twice in one page',
    responses: [page(GOOD, 42, 42)],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /record is number, not an object/ } },
  },
  {
    input: '30,000 undeclared fields (a 270 KB record)',
    responses: [page(GOOD, change('c-1', {}, customer('c-1', undeclared(30_000))))],
    outcome: {
      parked: {
        status: 'AMBIGUOUS',
        reason: 'SCHEMA_VALIDATION',
        error: /30000 failing fields; the first 100 are listed/,
      },
    },
  },
  {
    input: 'a 290 KB updatedAt that is not ISO-8601',
    responses: [page(GOOD, change('c-1', { updatedAt: 'y'.repeat(290_000) }))],
    outcome: {
      parked: {
        status: 'AMBIGUOUS',
        reason: 'MALFORMED_EVENT',
        error:
          /updatedAt must be an ISO-8601 instant with at most ms precision, got "y{100,}… \(290002 characters in all\)$/,
      },
    },
  },
  {
    input: 'an id longer than the 2 KB DynamoDB key limit',
    responses: [page(GOOD, change(LONG_ID, {}, customer(LONG_ID, { active: 'yes' })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.active: expected boolean/ } },
  },
  {
    input: 'deep nesting in id (100,000 levels)',
    responses: [rawPage(`{"id":${deepJson(100_000)},"op":"UPSERT","updatedAt":"${T}","data":{}}`)],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /nested deeper than 32 levels/ } },
  },
  {
    input: 'deep nesting in updatedAt (100,000 levels)',
    responses: [rawPage(`{"id":"c-1","op":"UPSERT","updatedAt":${deepJson(100_000)},"data":{}}`)],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /nested deeper than 32 levels/ } },
  },
  {
    input: 'deep nesting in op (100,000 levels)',
    responses: [rawPage(`{"id":"c-1","op":${deepJson(100_000)},"updatedAt":"${T}","data":{}}`)],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /nested deeper than 32 levels/ } },
  },
  // Values JSON can carry but the pipeline would silently change.
  {
    input: 'a number beyond a double (1e400)',
    responses: [rawPage(JSON.stringify(change('c-1')).replace('"balance":12.5', '"balance":1e400'))],
    outcome: {
      parked: {
        status: 'AMBIGUOUS',
        reason: 'MALFORMED_EVENT',
        error: /^data\.balance is a number too large for a double/,
      },
    },
  },
  {
    input: 'a lone surrogate escape in the id',
    responses: [rawPage(JSON.stringify(change('c-1')).replace('"id":"c-1"', '"id":"c-1\\ud800"'))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /^id has a lone UTF-16 surrogate/ } },
  },
  {
    input: 'a lone surrogate escape in a data field',
    responses: [
      rawPage(JSON.stringify(change('c-1')).replace('"displayName":"Ada Lovelace"', '"displayName":"Ada\\udc00"')),
    ],
    outcome: {
      parked: {
        status: 'AMBIGUOUS',
        reason: 'MALFORMED_EVENT',
        error: /^data\.displayName has a lone UTF-16 surrogate/,
      },
    },
  },
];

async function pollOnce(
  responses: ScriptedResponse[],
  entity: string,
  fallback: FallbackStore,
): Promise<{
  summary?: PollSummary;
  error?: Error;
  publisher: InMemoryPublisher;
  checkpoints: InMemoryCheckpointStore;
}> {
  const server = await scriptedServer(responses);
  const registry = new InMemorySchemaRegistry();
  registry.seed(`cdc.${entity}`, schemaFile(entity));
  const publisher = new InMemoryPublisher();
  const checkpoints = new InMemoryCheckpointStore();
  const source = new HttpSource({
    baseUrl: server.url,
    mappingOf: () => DEFAULT_MAPPING,
    token: async () => undefined,
    pageLimit: 50,
    requestTimeoutMs: 2000,
    maxResponseBytes: 5_000_000,
    retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 2 },
  });
  const deps = {
    source,
    checkpoints,
    publisher,
    fallback,
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 })),
    log: createLogger({}, () => undefined),
  };
  try {
    const summary = await pollEntity(deps, {
      entity,
      topic: `cdc.${entity}`,
      schemaName: `cdc.${entity}`,
      compression: 'none',
      runId: 'r',
      leaseMs: 60_000,
      limits: { maxPages: 50, maxConsecutiveEmptyPages: 5 },
      outOfTime: () => false,
    });
    return { summary, publisher, checkpoints };
  } catch (error) {
    return { error: error as Error, publisher, checkpoints };
  } finally {
    await server.close();
  }
}

/** Runs one row with a fresh fallback store and checks its outcome. */
export async function checkCatalogueRow(row: Row, harness: FallbackHarness): Promise<void> {
  const entity = row.entity ?? 'customer';
  const [good, bad] = entity === 'invoice' ? ['i-good', 'i-1'] : ['c-good', 'c-1'];
  const { summary, error, publisher, checkpoints } = await pollOnce(row.responses, entity, harness.store);
  const parkedEvents = await harness.parked();
  const outcome = row.outcome;
  if ('runFails' in outcome) {
    expect(error?.message).toMatch(outcome.runFails);
    expect(publisher.sent).toEqual([]);
    expect(parkedEvents).toEqual([]);
    expect(await checkpoints.load(entity)).toBeUndefined();
    return;
  }
  expect(error).toBeUndefined();
  const published = publisher.sent.map((s) => s.message.key);
  if ('published' in outcome) {
    expect(published.sort()).toEqual([bad, good]);
    expect(parkedEvents).toEqual([]);
  } else {
    expect(published).toEqual([good]);
    expect(parkedEvents).toHaveLength(1);
    const parked = parkedEvents[0]!;
    expect({ status: parked.status, reason: parked.reason }).toEqual({
      status: outcome.parked.status,
      reason: outcome.parked.reason,
    });
    expect(parked.error).toMatch(outcome.parked.error);
    // What an item keeps beside its payload is bounded, whatever the record: it fits a DynamoDB item.
    expect(jsonText({ error: parked.error, violations: parked.violations ?? [] }).length).toBeLessThan(100_000);
    // Kept whole: the parked payload is the record as the source sent it (normalised for valid-shaped ones), not a summary.
    const first = row.responses[0]!.body;
    const served = ((typeof first === 'string' ? JSON.parse(first) : first) as { events: unknown[] }).events[1] as
      | Record<string, unknown>
      | number
      | unknown[];
    if (typeof served === 'object' && !Array.isArray(served) && parked.reason !== 'SCHEMA_VALIDATION')
      expect(jsonText(parked.payload)).toBe(jsonText(served));
    else
      expect(jsonText(parked.payload)).toContain(
        jsonText(typeof served === 'object' && !Array.isArray(served) ? (served as { data: unknown }).data : served),
      );
    expect(summary?.parked).toEqual({ [outcome.parked.reason]: 1 });
  }
  // The checkpoint passes the bad record too: it is handed off (parked), never re-read forever.
  expect((await checkpoints.load(entity))?.position.updatedAt).toBe(summary?.checkpointAfter.updatedAt);
  expect(summary?.checkpointAfter.updatedAt).not.toBe('1970-01-01T00:00:00.000Z');
}

/** Every input the issues list, by a word of its row's name. */
export const LISTED_INPUTS = [
  'not JSON',
  'not an object',
  'missing id',
  'empty id',
  'id of the wrong type',
  'unparseable timestamp',
  'in the future',
  'epoch 0',
  'unknown op',
  'wrong field type',
  'extra field',
  'unknown enum symbol',
  'huge string',
  'larger than 400 KB',
  'deeply nested',
  'not UTF-8',
  'HTML error page',
  'never ends',
  'repeats',
  'same invalid change twice',
  'same malformed entry twice',
  'undeclared fields',
  'updatedAt that is not ISO',
  'id longer than',
  'deep nesting in id',
  'deep nesting in updatedAt',
  'deep nesting in op',
  '1e400',
  'lone surrogate escape in the id',
  'lone surrogate escape in a data field',
];

/**
 * The bad-input catalogue: one row per kind of bad input from the source, each run through the
 * real poller core (HTTP source, normalisation, validation against the customer schema, Glue
 * serde) with in-memory checkpoint, fallback and publisher, and its expected outcome: the reason
 * code, and where the event ends up. A valid change is served beside every bad record, and
 * must be published whatever its neighbour is.
 *
 * One more row lives elsewhere: an unknown entity in the poller's event is refused by the
 * handler, naming the configured entities (tests/integration/invoke-local.test.ts, through
 * `sls invoke local`: Jest cannot load the ESM middy handler).
 */
import { InMemoryCheckpointStore } from '../../../lib/checkpoint';
import { InMemoryFallbackStore } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { type PollSummary, pollEntity } from '../../../lib/poller';
import { InMemoryPublisher } from '../../../lib/publish';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { DEFAULT_MAPPING, HttpSource } from '../../../lib/source';
import { type ScriptedResponse, scriptedServer } from '../../helpers/scripted-server';
import { schemaFile } from '../../helpers/schemas';

const T = '2026-03-01T10:00:00.000Z';
const customer = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, displayName: 'Ada Lovelace', email: 'ada@example.com', phone: null, address: { line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
  balance: 12.5, active: true, createdAt: '2026-01-01T00:00:00.000Z', ...over,
});
const invoice = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, customerId: 'c-good', currency: 'EUR', status: 'OPEN', lines: [{ sku: 'S-1', description: null, quantity: 2, unitPrice: 5 }], total: 10, dueDate: null, createdAt: '2026-01-01T00:00:00.000Z', ...over,
});
const change = (id: string, over: Record<string, unknown> = {}, data: Record<string, unknown> | null = customer(id)): Record<string, unknown> => ({ id, op: 'UPSERT', updatedAt: T, data, ...over });
const GOOD = change('c-good', { updatedAt: '2026-03-01T09:59:59.000Z' });
const page = (...events: unknown[]): ScriptedResponse => ({ body: { events, nextPageToken: null } });

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { inner: value };
  return value;
}

type Outcome =
  /** Parked in the fallback table with this status and reason; the good change published; the checkpoint passes both. */
  | { parked: { status: 'AMBIGUOUS'; reason: string; error: RegExp } }
  /** Published like any valid change. */
  | { published: true }
  /** The run fails with this error; the checkpoint stays where it was, so the next run reads the page again. */
  | { runFails: RegExp };

interface Row {
  readonly input: string;
  /** customer unless said otherwise; the bad record's id is c-1 (i-1 for invoices). */
  readonly entity?: 'customer' | 'invoice';
  readonly responses: ScriptedResponse[];
  readonly outcome: Outcome;
}

const CATALOGUE: Row[] = [
  { input: 'not JSON at all', responses: [{ body: '{"events": [ {"id": "c-1", ' }], outcome: { runFails: /answered 200 with a body that is not JSON/ } },
  { input: 'JSON but not an object (a number)', responses: [page(GOOD, 42)], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /record is number, not an object/ } } },
  { input: 'JSON but not an object (an array)', responses: [page(GOOD, ['c-1', T])], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /record is an array, not an object/ } } },
  { input: 'missing id', responses: [page(GOOD, { op: 'UPSERT', updatedAt: T, data: customer('c-1') })], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got nothing/ } } },
  { input: 'empty id', responses: [page(GOOD, change('', {}, customer('')))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got ""/ } } },
  { input: 'id of the wrong type', responses: [page(GOOD, change('c-1', { id: 17 }))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /id must be a non-empty string, got 17/ } } },
  { input: 'unparseable timestamp', responses: [page(GOOD, change('c-1', { updatedAt: 'yesterday' }))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /updatedAt must be an ISO-8601 instant/ } } },
  { input: 'timestamp in the future', responses: [page(GOOD, change('c-1', { updatedAt: new Date(Date.now() + 86_400_000).toISOString() }))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /is in the future/ } } },
  { input: 'timestamp at epoch 0', responses: [page(GOOD, change('c-1', { updatedAt: '1970-01-01T00:00:00.000Z' }))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /at or before the Unix epoch/ } } },
  { input: 'unknown op', responses: [page(GOOD, change('c-1', { op: 'MERGE' }))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /op must be UPSERT or DELETE, got "MERGE"/ } } },
  { input: 'wrong field type', responses: [page(GOOD, change('c-1', {}, customer('c-1', { active: 'yes' })))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.active: expected boolean/ } } },
  { input: 'extra field', responses: [page(GOOD, change('c-1', {}, customer('c-1', { favouriteColour: 'teal' })))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.favouriteColour/ } } },
  {
    input: 'unknown enum symbol', entity: 'invoice',
    responses: [page(change('i-good', { updatedAt: '2026-03-01T09:59:59.000Z' }, invoice('i-good')), change('i-1', {}, invoice('i-1', { status: 'REFUNDED' })))],
    outcome: { parked: { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: /data\.status/ } },
  },
  { input: 'huge string (100 KB name)', responses: [page(GOOD, change('c-1', {}, customer('c-1', { displayName: 'x'.repeat(100_000) })))], outcome: { published: true } },
  { input: 'record larger than 400 KB', responses: [page(GOOD, change('c-1', {}, customer('c-1', { displayName: 'x'.repeat(420_000) })))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'PAYLOAD_TOO_LARGE', error: /over the 409600-byte limit/ } } },
  { input: 'deeply nested object (2,000 levels)', responses: [page(GOOD, change('c-1', {}, customer('c-1', { address: nested(2000) })))], outcome: { parked: { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', error: /nested deeper than 32 levels/ } } },
  { input: 'bytes that are not UTF-8', responses: [{ body: Buffer.concat([Buffer.from('{"events":[{"id":"c-1","op":"UPSERT","updatedAt":"2026-03-01T10:00:00.000Z","data":{"displayName":"Ad'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}],"nextPageToken":null}')]) }], outcome: { runFails: /not valid UTF-8/ } },
  { input: 'HTML error page with status 200', responses: [{ body: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }], outcome: { runFails: /answered 200 with a body that is not JSON \(starts with "<!DOCTYPE html>/ } },
  { input: 'empty pages whose next-page token never ends', responses: Array.from({ length: 20 }, (_, i) => ({ body: { events: [], nextPageToken: `t${i}` } })), outcome: { runFails: /5 empty pages in a row that still point to a next page/ } },
  { input: 'a page token that repeats', responses: [{ body: { events: [], nextPageToken: 'again' } }], outcome: { runFails: /returned page token "again" twice/ } },
];

async function pollOnce(responses: ScriptedResponse[], entity: string): Promise<{ summary?: PollSummary; error?: Error; publisher: InMemoryPublisher; fallback: InMemoryFallbackStore; checkpoints: InMemoryCheckpointStore }> {
  const server = await scriptedServer(responses);
  const registry = new InMemorySchemaRegistry();
  registry.seed(`cdc.${entity}`, schemaFile(entity));
  const publisher = new InMemoryPublisher();
  const fallback = new InMemoryFallbackStore();
  const checkpoints = new InMemoryCheckpointStore();
  const source = new HttpSource({
    baseUrl: server.url, mappingOf: () => DEFAULT_MAPPING, token: async () => undefined, pageLimit: 50,
    requestTimeoutMs: 2000, maxResponseBytes: 5_000_000, retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 2 },
  });
  const deps = { source, checkpoints, publisher, fallback, serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 })), log: createLogger({}, () => undefined) };
  try {
    const summary = await pollEntity(deps, {
      entity, topic: `cdc.${entity}`, schemaName: `cdc.${entity}`, compression: 'none', runId: 'r', leaseMs: 60_000,
      limits: { maxPages: 50, maxConsecutiveEmptyPages: 5 }, outOfTime: () => false,
    });
    return { summary, publisher, fallback, checkpoints };
  } catch (error) {
    return { error: error as Error, publisher, fallback, checkpoints };
  } finally {
    await server.close();
  }
}

describe('the bad-input catalogue: what the poller does with each bad input', () => {
  it.each(CATALOGUE.map((row) => [row.input, row] as const))('%s', async (_input, row) => {
    const entity = row.entity ?? 'customer';
    const [good, bad] = entity === 'invoice' ? ['i-good', 'i-1'] : ['c-good', 'c-1'];
    const { summary, error, publisher, fallback, checkpoints } = await pollOnce(row.responses, entity);
    const outcome = row.outcome;
    if ('runFails' in outcome) {
      expect(error?.message).toMatch(outcome.runFails);
      expect(publisher.sent).toEqual([]);
      expect(fallback.events).toEqual([]);
      expect(await checkpoints.load(entity)).toBeUndefined();
      return;
    }
    expect(error).toBeUndefined();
    const published = publisher.sent.map((s) => s.message.key);
    if ('published' in outcome) {
      expect(published.sort()).toEqual([bad, good]);
      expect(fallback.events).toEqual([]);
    } else {
      expect(published).toEqual([good]);
      expect(fallback.events).toHaveLength(1);
      const parked = fallback.events[0]!;
      expect({ status: parked.status, reason: parked.reason }).toEqual({ status: outcome.parked.status, reason: outcome.parked.reason });
      expect(parked.error).toMatch(outcome.parked.error);
      // Kept whole: the parked payload is the record as the source sent it (normalised for valid-shaped ones), not a summary.
      const served = (row.responses[0]!.body as { events: unknown[] }).events[1] as Record<string, unknown> | number | unknown[];
      if (typeof served === 'object' && !Array.isArray(served) && parked.reason !== 'SCHEMA_VALIDATION') expect(parked.payload).toEqual(served);
      else expect(JSON.stringify(parked.payload)).toContain(JSON.stringify(typeof served === 'object' && !Array.isArray(served) ? (served as { data: unknown }).data : served));
      expect(summary?.parked).toEqual({ [outcome.parked.reason]: 1 });
    }
    // The checkpoint passes the bad record too: it is handed off (parked), never re-read forever.
    expect((await checkpoints.load(entity))?.position.updatedAt).toBe(summary?.checkpointAfter.updatedAt);
    expect(summary?.checkpointAfter.updatedAt).not.toBe('1970-01-01T00:00:00.000Z');
  });

  it('covers every input the issue lists', () => {
    const listed = ['not JSON', 'not an object', 'missing id', 'empty id', 'id of the wrong type', 'unparseable timestamp', 'in the future', 'epoch 0', 'unknown op',
      'wrong field type', 'extra field', 'unknown enum symbol', 'huge string', 'larger than 400 KB', 'deeply nested', 'not UTF-8', 'HTML error page', 'never ends', 'repeats'];
    for (const name of listed) expect(`${name}: ${CATALOGUE.some((r) => r.input.includes(name)) ? 'covered' : 'missing'}`).toBe(`${name}: covered`);
  });
});

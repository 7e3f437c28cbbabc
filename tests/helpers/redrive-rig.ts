/** The retry core over in-memory ports, on a clock of its own (tests/unit/redrive). */
import { InMemoryFallbackStore, type ParkedEvent } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { InMemoryPublisher } from '../../lib/publish';
import { AcknowledgedLedger, InMemoryAlerts, type RedrivePolicy, sweep } from '../../lib/redrive';
import { InMemorySchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { InMemoryStaleArchive } from '../../ops/archive/in-memory-stale-archive';
import { customerChange, schemaFile } from './schemas';

export const T0 = Date.parse('2026-11-24T10:00:00.000Z');

export function rig(overrides: Partial<RedrivePolicy> = {}) {
  let clock = T0;
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const store = new InMemoryFallbackStore();
  const publisher = new InMemoryPublisher();
  const alerts = new InMemoryAlerts();
  const archive = new InMemoryStaleArchive();
  const logs: Record<string, unknown>[] = [];
  const policy: RedrivePolicy = {
    backoffBaseMs: 1000,
    backoffCapMs: 8000,
    sweepBatchSize: 100,
    claimMs: 60_000,
    concurrency: 4,
    stale: {
      default: { maxAgeSeconds: 3600, maxAttempts: 5 },
      KAFKA_UNAVAILABLE: { maxAgeSeconds: 86_400, maxAttempts: 1000 },
    },
    topicOf: (e) => `cdc.${e}`,
    compressionOf: () => 'none',
    ...overrides,
  };
  const deps = {
    store,
    publisher,
    alerts,
    archive,
    stage: 'test',
    owner: 'me',
    // As the retry handler has it: one per container, kept across its invocations.
    acknowledged: new AcknowledgedLedger(),
    log: createLogger({}, (line) => void logs.push(JSON.parse(line) as Record<string, unknown>)),
    random: () => 0.5,
    // A short latest-TTL, so a fixed schema is seen by the next sweep.
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 1000, maxEntries: 10, now: () => clock })),
    now: () => new Date(clock),
  };
  return {
    registry,
    store,
    publisher,
    alerts,
    archive,
    policy,
    deps,
    logs,
    advance: (ms: number) => void (clock += ms),
    sweep: () => sweep(deps, policy),
    sentKeys: () => publisher.sent.map((s) => `${s.message.key}@${s.message.headers['cdc-event-id']}`),
  };
}

export function parked(
  id: string,
  second: number,
  overrides: Partial<ParkedEvent> = {},
  data: Record<string, unknown> = {},
): ParkedEvent {
  const updatedAt = new Date(T0 - 3_600_000 + second * 1000).toISOString();
  const eventId = `${id}-${second}`.padEnd(32, '0');
  return {
    entity: 'customer',
    id,
    updatedAt,
    eventId,
    payload: customerChange({ id, updatedAt, eventId }, { id, ...data }),
    status: 'RETRIABLE',
    reason: 'KAFKA_UNAVAILABLE',
    error: 'broker down',
    attempts: 0,
    firstSeenAt: new Date(T0 - 60_000).toISOString(),
    nextAttemptAt: new Date(T0 - 60_000).toISOString(),
    ...overrides,
  };
}

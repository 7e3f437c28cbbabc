import { CheckpointConflictError } from './errors';
import type { HandedOffWindow, Position } from './position';
import type { CheckpointStore, LeaseOutcome, PollLease, RecentParks, StoredCheckpoint } from './store';
import { nextSave } from './store';

/** What the adapter needs of a `pg.Pool` (or a client): one parameterised statement at a time. */
export interface SqlClient {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ readonly rows: Record<string, unknown>[]; readonly rowCount: number | null }>;
}

/** A row of the checkpoint table: a checkpoint, a lease, recent parks, each column null until written. */
interface CheckpointRow {
  readonly updated_at: string | null;
  readonly event_ids: string[] | null;
  readonly handed_off_window: { ids: Record<string, string[]>; unknownBefore?: string } | null;
  readonly version: string | null;
  readonly saved_at: string | null;
  readonly saved_by: string | null;
  readonly lease_owner: string | null;
  readonly lease_until: string | null;
  readonly recent_parks: RecentParks | null;
}

/** PostgreSQL reports a concurrent CREATE TABLE IF NOT EXISTS of the same table as one of these. */
const ALREADY_CREATED = new Set(['42P07', '23505']);

/**
 * Checkpoints in a PostgreSQL table (RDS, the original design's store), one row per entity that
 * also holds the entity's poll lease, as DynamoDbCheckpointStore's item does. Every write is one
 * conditional statement on its own columns, so a save keeps the lease and a lease keeps the
 * checkpoint. Timestamps are the ISO-8601 strings the port passes, compared as text in the "C"
 * collation (as DynamoDB compares strings), never in the database's locale.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly table: string;
  private schema: Promise<void> | undefined;

  constructor(
    private readonly db: SqlClient,
    tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.table = `"${tableName.replaceAll('"', '""')}"`;
  }

  async load(entity: string): Promise<StoredCheckpoint | undefined> {
    const row = await this.read(entity);
    // A row with a lease but no version: a first run holds the lease and has saved nothing yet.
    if (row?.version === null || row?.version === undefined) return undefined;
    return {
      version: Number(row.version),
      position: {
        updatedAt: String(row.updated_at),
        eventIdsAtUpdatedAt: row.event_ids ?? [],
        ...(row.handed_off_window === null ? {} : { window: windowOf(row.handed_off_window) }),
      },
      ...(row.saved_at === null ? {} : { savedAt: row.saved_at }),
      ...(row.saved_by === null ? {} : { savedBy: row.saved_by }),
    };
  }

  async save(
    entity: string,
    position: Position,
    expectedVersion: number | undefined,
    runId: string,
  ): Promise<StoredCheckpoint> {
    const { version, savedAt } = nextSave(expectedVersion, this.now());
    // A position without a lookback window (lookback off, or an operator's replay) removes the stored one (null).
    const values = [
      entity,
      position.updatedAt,
      JSON.stringify(position.eventIdsAtUpdatedAt),
      position.window === undefined ? null : JSON.stringify(windowColumn(position.window)),
      version,
      savedAt,
      runId,
    ];
    const written =
      expectedVersion === undefined
        ? // The first save: a row may already be there holding only a lease (or recent parks), which is no checkpoint.
          await this.write(
            `INSERT INTO ${this.table} AS t (entity, updated_at, event_ids, handed_off_window, version, saved_at, saved_by)
             VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)
             ON CONFLICT (entity) DO UPDATE SET updated_at = EXCLUDED.updated_at, event_ids = EXCLUDED.event_ids,
               handed_off_window = EXCLUDED.handed_off_window, version = EXCLUDED.version,
               saved_at = EXCLUDED.saved_at, saved_by = EXCLUDED.saved_by
             WHERE t.version IS NULL`,
            values,
          )
        : await this.write(
            `UPDATE ${this.table} SET updated_at = $2, event_ids = $3::jsonb, handed_off_window = $4::jsonb,
               version = $5, saved_at = $6, saved_by = $7
             WHERE entity = $1 AND version = $8`,
            [...values, expectedVersion],
          );
    if (!written) throw new CheckpointConflictError(entity, expectedVersion ?? 0);
    return { position, version, savedAt, savedBy: runId };
  }

  /** One statement: concurrent requests serialise on the row, and each sees the lease the one before it left. */
  async acquireLease(entity: string, owner: string, now: Date, until: Date): Promise<LeaseOutcome> {
    const taken = await this.write(
      `INSERT INTO ${this.table} AS t (entity, lease_owner, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (entity) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
       WHERE t.lease_until IS NULL OR t.lease_until < $4 OR t.lease_owner = EXCLUDED.lease_owner`,
      [entity, owner, until.toISOString(), now.toISOString()],
    );
    if (taken) return { acquired: true };
    // Read after the refusal: the holder may have released it since (then it is 'unknown', as for DynamoDB's missing attributes).
    const row = await this.read(entity);
    return {
      acquired: false,
      holder: { owner: row?.lease_owner ?? 'unknown', until: row?.lease_until ?? 'unknown' },
    };
  }

  async releaseLease(entity: string, owner: string): Promise<boolean> {
    return this.write(
      `UPDATE ${this.table} SET lease_owner = NULL, lease_until = NULL WHERE entity = $1 AND lease_owner = $2`,
      [entity, owner],
    );
  }

  async leaseOf(entity: string): Promise<PollLease | undefined> {
    const row = await this.read(entity);
    return row?.lease_owner && row.lease_until ? { owner: row.lease_owner, until: row.lease_until } : undefined;
  }

  async recentParks(entity: string): Promise<RecentParks | undefined> {
    return (await this.read(entity))?.recent_parks ?? undefined;
  }

  async noteRecentParks(entity: string, owner: string, parks: RecentParks): Promise<boolean> {
    return this.write(`UPDATE ${this.table} SET recent_parks = $3::jsonb WHERE entity = $1 AND lease_owner = $2`, [
      entity,
      owner,
      JSON.stringify(parks),
    ]);
  }

  private async read(entity: string): Promise<CheckpointRow | undefined> {
    await this.ensureSchema();
    const { rows } = await this.db.query(`SELECT * FROM ${this.table} WHERE entity = $1`, [entity]);
    return rows[0] as CheckpointRow | undefined;
  }

  /** True if the statement wrote the entity's row (its condition held). */
  private async write(statement: string, values: unknown[]): Promise<boolean> {
    await this.ensureSchema();
    return (await this.db.query(statement, values)).rowCount === 1;
  }

  /** The table, created on this store's first statement (not in the constructor: no hidden I/O there). */
  private ensureSchema(): Promise<void> {
    this.schema ??= this.createTable().catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  private async createTable(): Promise<void> {
    try {
      await this.db.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           entity text PRIMARY KEY,
           updated_at text,
           event_ids jsonb,
           handed_off_window jsonb,
           version bigint,
           saved_at text,
           saved_by text,
           lease_owner text,
           lease_until text COLLATE "C",
           recent_parks jsonb
         )`,
      );
    } catch (error) {
      // Two stores creating it at once: the other one did.
      if (!ALREADY_CREATED.has(String((error as { code?: unknown }).code))) throw error;
    }
  }
}

/** The lookback window as a JSON column: `ids` an object of updatedAt → eventIds, `unknownBefore` beside it. */
function windowColumn(window: HandedOffWindow): { ids: Record<string, readonly string[]>; unknownBefore?: string } {
  return {
    ids: window.ids,
    ...(window.unknownBefore === undefined ? {} : { unknownBefore: window.unknownBefore }),
  };
}

function windowOf(column: { ids?: Record<string, string[]>; unknownBefore?: string }): HandedOffWindow {
  return {
    ids: Object.fromEntries(Object.entries(column.ids ?? {}).map(([at, ids]) => [at, ids.map(String)])),
    ...(column.unknownBefore === undefined ? {} : { unknownBefore: column.unknownBefore }),
  };
}

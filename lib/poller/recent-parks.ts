import { type CheckpointStore, LeaseLostError, type RecentParks } from '../checkpoint';

export interface IndexLagOptions {
  /** How long after a park the fallback table's status index may still not show it. Default 60 s. */
  readonly windowMs?: number;
  /** The most key ids the note holds (JSON bytes); past it, every key is read consistently for the window. Default 32 KiB. */
  readonly maxNotedBytes?: number;
}

const DEFAULT_WINDOW_MS = 60_000;
/** The checkpoint item also holds up to ~300 KB of tied eventIds; an item is at most 400 KB. */
const DEFAULT_MAX_NOTED_BYTES = 32 * 1024;

/**
 * Covers the lag of the fallback table's status index (`parkedKeys` reads a GSI, which DynamoDB
 * never reads consistently): a run that parks a key RETRIABLE just before the next run reads
 * the index could otherwise see that run publish the key's newer change directly, and the retry
 * function send the older one after it. Before parking, a run notes the keys on its checkpoint
 * item (one conditional write, skipped while every key is noted for half the window still);
 * the next run reads the note strongly and reads those keys' items consistently before
 * publishing a newer change of them.
 * The note is written before the park, so a run that fails or dies right after parking still
 * leaves it. It is bounded in time (entries expire after the window) and in size (past the
 * bound one flag says "check every key until then").
 */
export class ParkedIndexLag {
  private readonly settled = new Set<string>();

  private constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly entity: string,
    private readonly runId: string,
    private noted: RecentParks | undefined,
    /** What the index may not show yet, as of the run's read of it. */
    private readonly unsure: { readonly ids: ReadonlySet<string>; readonly all: boolean },
    private readonly windowMs: number,
    private readonly maxNotedBytes: number,
  ) {}

  /** Reads the note; call it right before the run reads the index (`at`). */
  static async read(
    checkpoints: CheckpointStore,
    entity: string,
    runId: string,
    at: Date,
    options: IndexLagOptions = {},
  ): Promise<ParkedIndexLag> {
    const noted = await checkpoints.recentParks(entity);
    const now = at.toISOString();
    const unsure = {
      ids: new Set((noted?.keys ?? []).filter((k) => k.until >= now).map((k) => k.id)),
      all: (noted?.allUntil ?? '') >= now,
    };
    return new ParkedIndexLag(
      checkpoints,
      entity,
      runId,
      noted,
      unsure,
      options.windowMs ?? DEFAULT_WINDOW_MS,
      options.maxNotedBytes ?? DEFAULT_MAX_NOTED_BYTES,
    );
  }

  /** True while the index's word on this key is not enough: read its items consistently first. */
  isUnsure(id: string): boolean {
    return !this.settled.has(id) && (this.unsure.all || this.unsure.ids.has(id));
  }

  /** The key's items were read consistently (and its older ambiguous ones superseded): the rest of this run knows it. */
  settle(id: string): void {
    this.settled.add(id);
  }

  /** Notes keys about to be parked; throws LeaseLostError when another run holds the entity now. */
  async beforePark(ids: readonly string[], now: Date): Promise<void> {
    // An entry good for at least half the window is not written again.
    const fresh = new Date(now.getTime() + this.windowMs / 2).toISOString();
    const good = new Map((this.noted?.keys ?? []).map((k) => [k.id, k.until]));
    if (ids.length === 0 || (this.noted?.allUntil ?? '') >= fresh || ids.every((id) => (good.get(id) ?? '') >= fresh))
      return;
    const next = notedWith(this.noted, ids, now, this.windowMs, this.maxNotedBytes);
    if (!(await this.checkpoints.noteRecentParks(this.entity, this.runId, next)))
      throw new LeaseLostError(this.entity, this.runId);
    this.noted = next;
  }
}

/** The note with `ids` parked at `now`: expired entries dropped; past the size bound, one flag instead of the list. */
export function notedWith(
  noted: RecentParks | undefined,
  ids: readonly string[],
  now: Date,
  windowMs: number,
  maxBytes: number,
): RecentParks {
  const at = now.toISOString();
  const until = new Date(now.getTime() + windowMs).toISOString();
  const keys = new Map((noted?.keys ?? []).filter((k) => k.until >= at).map((k) => [k.id, k.until] as const));
  for (const id of ids) keys.set(id, until);
  const allUntil = noted?.allUntil !== undefined && noted.allUntil >= at ? { allUntil: noted.allUntil } : {};
  const list = [...keys].map(([id, u]) => ({ id, until: u }));
  // Every entry ends by `until`, so the flag covers what the list held.
  if (Buffer.byteLength(JSON.stringify(list)) > maxBytes) return { keys: [], allUntil: until };
  return { keys: list, ...allUntil };
}

import { FALLBACK_STATUSES, type FallbackCensus, type FallbackStatus } from '../fallback';

/** How far the backlog metric counts per entity and status: past it, the count says "at least this many". */
export const BACKLOG_COUNT_CAP = 10_000;

/** Per entity, its parked items by status (each count stopping at the cap); `capped` names the counts that stopped there. */
export interface Backlog {
  readonly byEntity: Readonly<Record<string, Readonly<Record<FallbackStatus, number>>>>;
  readonly capped: readonly string[];
}

/**
 * The fallback table's backlog, per entity and status, for the scheduled sweep's metric: a
 * count through the keys-only index for each pair (never a scan), so an empty table costs one
 * small query per pair and a large one no more than the cap's worth of keys.
 */
export async function backlogOf(
  census: Pick<FallbackCensus, 'countParked'>,
  entities: readonly string[],
  cap: number = BACKLOG_COUNT_CAP,
): Promise<Backlog> {
  const capped: string[] = [];
  const byEntity: Record<string, Record<FallbackStatus, number>> = {};
  await Promise.all(
    entities.map(async (entity) => {
      const counts = await Promise.all(FALLBACK_STATUSES.map((status) => census.countParked(entity, status, cap)));
      byEntity[entity] = Object.fromEntries(FALLBACK_STATUSES.map((status, i) => [status, counts[i]!.count])) as Record<
        FallbackStatus,
        number
      >;
      FALLBACK_STATUSES.forEach((status, i) => {
        if (counts[i]!.capped) capped.push(`${entity} ${status}`);
      });
    }),
  );
  return { byEntity, capped: capped.sort() };
}

import type { ParkedItem } from './parked-item';
import type { RedriveStore, SupersedeOutcome } from './ports';
import { sortKey } from './table';

/**
 * The supersede rule, once. A valid newer change of a key that goes to Kafka makes the key's
 * older AMBIGUOUS events SUPERSEDED, so they can never follow it; one conditional write each
 * (`supersede`), oldest first, stopping at the first that is no longer AMBIGUOUS (another
 * invocation revived it, say, and may be sending it: the newer change must not go out now).
 * Returns how many it marked and whether that was all of them.
 */
export async function supersedeOlder(
  store: Pick<RedriveStore, 'supersede'>,
  older: readonly ParkedItem[],
  supersededBy: string,
): Promise<{ superseded: number; complete: boolean }> {
  let superseded = 0;
  for (const item of older) {
    if (!(await store.supersede(item, supersededBy))) return { superseded, complete: false };
    superseded += 1;
  }
  return { superseded, complete: true };
}

/**
 * The poller's side of the rule, before it publishes a newer valid change of a key (at
 * `updatedAt`): the key's AMBIGUOUS events of an earlier `updatedAt` are superseded; an earlier
 * RETRIABLE one blocks the newer change, which then parks behind it, as does an AMBIGUOUS one that
 * changed meanwhile. The drain applies the same rule to the events it has walked past
 * (lib/redrive/drain-key.ts).
 */
export async function supersedeEarlier(
  store: Pick<RedriveStore, 'itemsOfKey' | 'supersede'>,
  entity: string,
  id: string,
  updatedAt: string,
): Promise<SupersedeOutcome> {
  const earlier = (await store.itemsOfKey(entity, id)).filter((i) => i.sk < sortKey(updatedAt, ''));
  const marked = await supersedeOlder(
    store,
    earlier.filter((i) => i.status === 'AMBIGUOUS'),
    updatedAt,
  );
  return {
    superseded: marked.superseded,
    blocked: !marked.complete || earlier.some((i) => i.status === 'RETRIABLE'),
  };
}

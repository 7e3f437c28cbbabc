import type { TopicMessage } from '../demo/pipeline';
import { changeKey } from '../demo/reconcile';

export interface TopicCheck {
  /** Messages this run wrote, and their distinct eventIds. */
  readonly messages: number;
  readonly distinctEvents: number;
  /** Copies beyond the first of an eventId (at-least-once re-sends). */
  readonly duplicates: number;
  /** An eventId sent more than twice: more than the one re-send a lost race or claim may cause. */
  readonly sentMoreThanTwice: number;
  /** Keys whose first-seen changes go back in time somewhere, in partition order. */
  readonly backwardsKeys: readonly string[];
  /** `id@updatedAt` of every change on the topic. */
  readonly changes: ReadonlySet<string>;
}

/**
 * Exactly once per eventId after de-duplication, and per-key order: the first copy of each
 * eventId, in partition order, must never go back in `updatedAt` for its key.
 *
 * `from` gives, per partition, the first offset this run wrote: messages before it (earlier
 * runs on the same topic) count as changes on Kafka and as earlier copies, but only this run's
 * messages are judged, so an earlier run's defect is not reported again.
 */
export function checkTopic(
  messages: readonly TopicMessage[],
  from: ReadonlyMap<number, number> = new Map(),
): TopicCheck {
  const copies = new Map<string, number>();
  const judged = new Set<string>();
  let duplicates = 0;
  let thisRun = 0;
  const lastAt = new Map<string, string>();
  const backwards = new Set<string>();
  const changes = new Set<string>();
  for (const m of messages) {
    const eventId = String(m.value.eventId);
    const seen = copies.get(eventId) ?? 0;
    copies.set(eventId, seen + 1);
    const mine = m.offset >= (from.get(m.partition) ?? 0);
    if (mine) {
      thisRun += 1;
      judged.add(eventId);
      if (seen > 0) duplicates += 1;
    }
    if (seen > 0) continue;
    const key = `${m.partition}/${m.key}`;
    const at = String(m.value.updatedAt);
    changes.add(changeKey(m.value.id, at));
    const previous = lastAt.get(key);
    if (mine && previous !== undefined && at < previous) backwards.add(String(m.key));
    lastAt.set(key, previous !== undefined && previous > at ? previous : at);
  }
  return {
    messages: thisRun,
    distinctEvents: judged.size,
    duplicates,
    sentMoreThanTwice: [...judged].filter((e) => copies.get(e)! > 2).length,
    backwardsKeys: [...backwards],
    changes,
  };
}

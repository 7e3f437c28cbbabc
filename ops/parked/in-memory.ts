import type { ParkedItem, RedriveStore } from '../../lib/fallback';
import type { DeadLetterListing, ParkedFilter, ParkedItems } from './ports';
import { deadLetterPrefix } from './s3-dead-letters';
import { LISTED_STATUSES } from './statuses';

/** For unit tests: the listing over the in-memory fallback store, in the due index's order. */
export class InMemoryParkedItems implements ParkedItems {
  readonly location = 'in-memory fallback table';
  /** How many items the listing handed out: what a caller that stops early has read. */
  read = 0;

  constructor(private readonly store: Pick<RedriveStore, 'withStatus' | 'itemsOfKey' | 'payloadOf'>) {}

  async *list(filter: ParkedFilter): AsyncIterable<ParkedItem> {
    for (const status of filter.status === undefined ? LISTED_STATUSES : [filter.status])
      for (const item of await this.store.withStatus(status, Number.MAX_SAFE_INTEGER)) {
        if (filter.entity !== undefined && item.entity !== filter.entity) continue;
        if (filter.reason !== undefined && item.reason !== filter.reason) continue;
        this.read += 1;
        yield item;
      }
  }

  itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    return this.store.itemsOfKey(entity, id);
  }

  payloadOf(item: ParkedItem): Promise<unknown> {
    return this.store.payloadOf(item);
  }
}

/** For unit tests: dead-letter objects in a map. */
export class InMemoryDeadLetters implements DeadLetterListing {
  readonly objects = new Map<string, string>();
  readonly location = 's3://raw/dead-letter/';

  async *keys(entity: string | undefined): AsyncIterable<string> {
    yield* [...this.objects.keys()].filter((k) => k.startsWith(deadLetterPrefix(entity))).sort();
  }

  async read(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
}

import type { FallbackStatus, ParkedItem, ParkReason } from '../../lib/fallback';

/** What the operator narrows the listing to; every filter is optional. */
export interface ParkedFilter {
  readonly entity?: string;
  readonly status?: FallbackStatus;
  readonly reason?: ParkReason;
}

/** The fallback table as the inspection reads it: never a scan, never a write. */
export interface ParkedItems {
  /** The table read, for the output. */
  readonly location: string;
  /**
   * The items that match, page by page through the table's indexes; the caller stops iterating
   * when it has enough, and no further page is read. `pageSize` is what one page asks for.
   */
  list(filter: ParkedFilter, pageSize: number): AsyncIterable<ParkedItem>;
  /** Every item of one key, oldest first (a query by partition key). */
  itemsOfKey(entity: string, id: string): Promise<ParkedItem[]>;
  /** The item's payload, from the item or from the S3 object it points at. */
  payloadOf(item: ParkedItem): Promise<unknown>;
}

/** The consumer's `dead-letter/` objects in the raw bucket, listed without reading more than asked. */
export interface DeadLetterListing {
  /** s3://<raw bucket>/dead-letter/ */
  readonly location: string;
  /** Their keys in key order, one entity's or all, page by page; the caller stops when it has enough. */
  keys(entity: string | undefined, pageSize: number): AsyncIterable<string>;
  read(key: string): Promise<string | undefined>;
}

import type { MSKEvent } from 'aws-lambda';
import type { ConsumeSummary } from '../../lib/consumer';
import type { RedriveStore } from '../../lib/fallback';

/** The fallback table as the redrive uses it: the consumer's items, claimed before they are changed, as the retry function does. */
export type ConsumerItems = Pick<RedriveStore, 'withStatus' | 'payloadOf' | 'claim' | 'remove' | 'setStatus'>;

/** The consumer's dead-letter objects (S3). */
export interface DeadLetterObjects {
  read(bucket: string, key: string): Promise<string | undefined>;
}

/** The consumer's core over the stage's stores: decodes, flattens and writes a batch to raw as the function does. */
export type Consume = (event: MSKEvent) => Promise<ConsumeSummary>;

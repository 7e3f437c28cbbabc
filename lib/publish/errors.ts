import { CdcError } from '../errors';
import type { PublishReceipt } from './kafka-publisher';

/** The broker could not take the messages (down, unreachable, timed out): park them as RETRIABLE. */
export class KafkaUnavailableError extends CdcError {
  /** How many of the messages, from the first, Kafka acknowledged before it failed (they are on the topic). */
  acknowledged = 0;
  /** Where those were written. */
  receipts: PublishReceipt[] = [];

  constructor(message: string, cause?: unknown) {
    super('KAFKA_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/**
 * The broker answered, and refused: a message or request too large for it, a topic that does not
 * exist (auto-creation is off) or that this client may not write. Not an outage, so no pause:
 * the events are parked RETRIABLE with this reason until an operator fixes the topic or its
 * limits, and go stale (archived, alerted) if nobody does.
 */
export class KafkaRefusedError extends CdcError {
  acknowledged = 0;
  receipts: PublishReceipt[] = [];

  constructor(
    message: string,
    readonly kafkaErrorType: string,
    cause?: unknown,
  ) {
    super('KAFKA_REFUSED', message, { retriable: false, cause });
  }
}

/** The producer could not get its SASL credentials (IAM token, SCRAM secret): like Kafka down, the events are parked. */
export class KafkaAuthError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('KAFKA_UNAVAILABLE', message, { retriable: true, cause });
  }
}

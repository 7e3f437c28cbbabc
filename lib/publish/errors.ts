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

/**
 * A send that failed at once, during the pause after an outage, or undefined once the pause is
 * over (`failed` is the last failure, if any): both adapters of the Publisher port pause alike.
 */
export function pausedFailure(
  failed: { readonly at: number; readonly message: string } | undefined,
  now: number,
  cooldownMs: number,
  topic: string,
  count: number,
): KafkaUnavailableError | undefined {
  if (failed === undefined || now - failed.at >= cooldownMs) return undefined;
  return new KafkaUnavailableError(
    `Kafka did not acknowledge ${count} message(s) to ${topic}: unreachable ${now - failed.at} ms ago (${failed.message}); next attempt after a ${cooldownMs} ms pause`,
  );
}

/**
 * What a send that failed part-way throws: a refusal (the broker answered; `refusal` is its Kafka
 * error type) or an outage, each saying how many messages, from the first, were acknowledged and where.
 */
export function sendFailure(
  error: unknown,
  refusal: string | undefined,
  topic: string,
  progress: { readonly unsent: number; readonly acknowledged: number; readonly receipts: PublishReceipt[] },
): KafkaRefusedError | KafkaUnavailableError {
  const failure =
    refusal !== undefined
      ? new KafkaRefusedError(
          `Kafka refused ${progress.unsent} message(s) to ${topic} (${refusal}): ${(error as Error).message}`,
          refusal,
          error,
        )
      : new KafkaUnavailableError(
          `Kafka did not acknowledge ${progress.unsent} message(s) to ${topic}: ${(error as Error).message}`,
          error,
        );
  failure.acknowledged = progress.acknowledged;
  failure.receipts = progress.receipts;
  return failure;
}

import { CdcError } from '../errors';

/** The broker could not take the messages (down, unreachable, timed out): park them as RETRIABLE. */
export class KafkaUnavailableError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('KAFKA_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** The producer could not get its SASL credentials (IAM token, SCRAM secret): like Kafka down, the events are parked. */
export class KafkaAuthError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('KAFKA_UNAVAILABLE', message, { retriable: true, cause });
  }
}

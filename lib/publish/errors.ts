import { CdcError } from '../errors';

/** The broker could not take the messages (down, unreachable, timed out): park them as RETRIABLE. */
export class KafkaUnavailableError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('KAFKA_UNAVAILABLE', message, { retriable: true, cause });
  }
}

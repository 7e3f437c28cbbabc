import { KafkaUnavailableError } from './errors';
import type { OutgoingMessage, Publisher } from './kafka-publisher';

/** The publisher port in memory: records what was "acknowledged"; can be taken down. */
export class InMemoryPublisher implements Publisher {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];
  down = false;

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.down) throw new KafkaUnavailableError(`broker down (in memory): ${messages.length} message(s) to ${topic}`);
    for (const message of messages) this.sent.push({ topic, message });
  }

  async close(): Promise<void> {}
}

import { KafkaUnavailableError } from './errors';
import type { OutgoingMessage, Publisher, PublishReceipt } from './kafka-publisher';

/** The publisher port in memory: records what was "acknowledged"; can be taken down. */
export class InMemoryPublisher implements Publisher {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];
  down = false;

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    if (this.down) throw new KafkaUnavailableError(`broker down (in memory): ${messages.length} message(s) to ${topic}`);
    if (messages.length === 0) return [];
    const baseOffset = String(this.sent.length);
    for (const message of messages) this.sent.push({ topic, message });
    // One partition in memory: its offsets are the positions in `sent`.
    return [{ partition: 0, baseOffset }];
  }

  async close(): Promise<void> {}
}

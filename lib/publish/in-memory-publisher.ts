import { KafkaRefusedError, KafkaUnavailableError } from './errors';
import type { OutgoingMessage, Publisher, PublishReceipt } from './kafka-publisher';

/** The publisher port in memory: records what was "acknowledged"; can be taken down. */
export class InMemoryPublisher implements Publisher {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];
  down = false;
  /** The next publish acknowledges this many messages, then the broker refuses the rest (once). */
  refuseAfter: number | undefined;

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    if (this.down)
      throw new KafkaUnavailableError(`broker down (in memory): ${messages.length} message(s) to ${topic}`);
    if (messages.length === 0) return [];
    if (this.refuseAfter !== undefined) {
      const acknowledged = Math.min(this.refuseAfter, messages.length);
      this.refuseAfter = undefined;
      const baseOffset = String(this.sent.length);
      for (const message of messages.slice(0, acknowledged)) this.sent.push({ topic, message });
      const refused = new KafkaRefusedError(
        `refused (in memory): ${messages.length - acknowledged} message(s) to ${topic}`,
        'MESSAGE_TOO_LARGE',
      );
      refused.acknowledged = acknowledged;
      refused.receipts = [{ partition: 0, baseOffset, messages: messages.slice(0, acknowledged).map((_, i) => i) }];
      throw refused;
    }
    const baseOffset = String(this.sent.length);
    for (const message of messages) this.sent.push({ topic, message });
    // One partition in memory: its offsets are the positions in `sent`.
    return [{ partition: 0, baseOffset, messages: messages.map((_, i) => i) }];
  }

  async close(): Promise<void> {}
}

import type { TopicMessage } from '../../local/demo/pipeline';

/** DESIGN.md boundary 4: per key, the `updatedAt`s in topic order only go forward. */
export function expectForwardPerKey(messages: readonly TopicMessage[]): void {
  const last = new Map<string, string>();
  for (const m of messages) {
    const at = String(m.value.updatedAt);
    const before = last.get(m.key);
    if (before !== undefined && at < before)
      throw new Error(
        `key ${m.key} went backwards on the topic: ${before} then ${at} (partition ${m.partition}, offset ${m.offset})`,
      );
    last.set(m.key, at);
  }
}

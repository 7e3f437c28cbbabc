import type { Admin, ITopicConfig } from 'kafkajs';
import { localKafka } from '../kafka-client';

/** One topic per entity, `{topicPrefix}.{entity}` (DESIGN.md boundary 3). Existing topics are kept. */
export async function provisionTopics(topics: readonly string[], partitions: number): Promise<string[]> {
  const admin = localKafka('cdc-local-provision').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await createTopicsReady(
        admin,
        missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      );
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Metadata answers a KRaft broker gives for a topic it has created but not yet loaded. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Creates the topics and waits until every partition has a leader. kafkajs's own
 * `waitForLeaders` waits only through LEADER_NOT_AVAILABLE; a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic under load, and kafkajs
 * then throws "This server does not host this topic-partition" (CI at a5d376b: 8 tests).
 */
export async function createTopicsReady(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      const ready = meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready && meta.length === names.length) return;
      last = 'a partition without a leader';
    } catch (err) {
      const type = (err as { type?: string }).type ?? '';
      if (!NOT_YET.has(type)) throw err;
      last = type;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${names.join(', ')} not ready after ${timeoutMs} ms (${last})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

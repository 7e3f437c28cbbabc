import { localKafka } from '../kafka-client';

/** One topic per entity, `{topicPrefix}.{entity}` (DESIGN.md boundary 3). Existing topics are kept. */
export async function provisionTopics(topics: readonly string[], partitions: number): Promise<string[]> {
  const admin = localKafka('cdc-local-provision').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

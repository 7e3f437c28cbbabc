import { Partitioners } from 'kafkajs';
import { partitionOfKey } from '../../../lib/publish/platformatic-publisher';

describe('the @platformatic/kafka publisher', () => {
  it("puts every key on the partition kafkajs's default partitioner puts it on", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }));
      for (let i = 0; i < 5000; i += 1) {
        const key = `customer-${i}`;
        expect([key, partitionOfKey({ topic: 't', key }, partitions)]).toEqual([
          key,
          kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
        ]);
      }
    }
  });
});

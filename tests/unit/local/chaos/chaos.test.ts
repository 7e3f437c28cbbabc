import { checkpointStoreOf, kafkaAuthOf, planFaults, seededRandom, sourceFaults } from '../../../../local/chaos/faults';
import { parseChaosArgs } from '../../../../local/chaos/main';
import { checkTopic } from '../../../../local/chaos/topic-check';
import type { TopicMessage } from '../../../../local/demo/pipeline';

const message = (partition: number, offset: number, id: string, updatedAt: string, eventId: string): TopicMessage => ({
  partition,
  offset,
  key: id,
  headers: {},
  value: { id, updatedAt, eventId },
});

describe('the chaos suite', () => {
  it('plans the same faults for the same seed, different ones for another, always with a Kafka kill whose restart stalls, a Kafka pause, an AWS outage and a moto restart', () => {
    const plan = (seed: number) => planFaults(seededRandom(seed), 8, ['customer', 'invoice', 'payment']);
    expect(plan(3)).toEqual(plan(3));
    expect(plan(3)).not.toEqual(plan(4));
    for (let seed = 0; seed < 50; seed += 1) {
      const kinds = plan(seed).map((f) => f.kind);
      expect(kinds).toHaveLength(8);
      expect(kinds).toContain('kafka-killed');
      expect(kinds).toContain('kafka-paused');
      expect(plan(seed).some((f) => f.kind === 'kafka-killed' && f.stallSeconds! > 10)).toBe(true);
      expect(kinds).toContain('aws-unavailable');
      expect(kinds).toContain('aws-restarted');
    }
    expect(sourceFaults(seededRandom(9))).toEqual(sourceFaults(seededRandom(9)));
  });

  it('counts duplicates, flags an eventId sent more than twice and a key going back in time, after de-duplication', () => {
    const clean = checkTopic([
      message(0, 0, 'a', 't1', 'e1'),
      message(0, 1, 'a', 't2', 'e2'),
      // A re-send of e1 after e2: a duplicate, ignored for order.
      message(0, 2, 'a', 't1', 'e1'),
      message(1, 0, 'b', 't1', 'e3'),
    ]);
    expect(clean).toMatchObject({
      messages: 4,
      distinctEvents: 3,
      duplicates: 1,
      sentMoreThanTwice: 0,
      backwardsKeys: [],
    });
    expect([...clean.changes].sort()).toEqual(['a@t1', 'a@t2', 'b@t1']);
    const bad = checkTopic([
      message(0, 0, 'a', 't2', 'e2'),
      message(0, 1, 'a', 't1', 'e1'),
      message(1, 0, 'b', 't1', 'e3'),
      message(1, 1, 'b', 't1', 'e3'),
      message(1, 2, 'b', 't1', 'e3'),
    ]);
    expect(bad.backwardsKeys).toEqual(['a']);
    expect(bad.sentMoreThanTwice).toBe(1);
  });

  it("judges only what this run wrote: earlier runs' messages count as changes on Kafka and as earlier copies", () => {
    const topic = [
      // An earlier run: e1 three times, and a key going back in time.
      message(0, 0, 'a', 't1', 'e1'),
      message(0, 1, 'a', 't1', 'e1'),
      message(0, 2, 'a', 't1', 'e1'),
      message(0, 3, 'c', 't2', 'e4'),
      message(0, 4, 'c', 't1', 'e5'),
      // This run (from offset 5): a re-send of e4, a new change of a.
      message(0, 5, 'c', 't2', 'e4'),
      message(0, 6, 'a', 't3', 'e6'),
    ];
    const check = checkTopic(topic, new Map([[0, 5]]));
    expect(check).toMatchObject({
      messages: 2,
      distinctEvents: 2,
      duplicates: 1,
      sentMoreThanTwice: 0,
      backwardsKeys: [],
    });
    expect([...check.changes].sort()).toEqual(['a@t1', 'a@t3', 'c@t1', 'c@t2']);
    // The same messages judged whole: the earlier run's defects show.
    expect(checkTopic(topic)).toMatchObject({ sentMoreThanTwice: 1, backwardsKeys: ['c'] });
    // A third copy written by this run is this run's problem.
    expect(checkTopic([...topic, message(0, 7, 'a', 't1', 'e1')], new Map([[0, 5]])).sentMoreThanTwice).toBe(1);
  });

  it('reads its options and refuses bad ones by name', () => {
    expect(parseChaosArgs([])).toEqual({ seeds: [1, 2, 3, 4, 5], events: 2000, quick: false });
    expect(parseChaosArgs(['--seeds', '7,8', '--events', '500'])).toEqual({ seeds: [7, 8], events: 500, quick: false });
    expect(parseChaosArgs(['--quick', '--seed', '3'])).toEqual({ seeds: [3], events: 2000, quick: true });
    expect(() => parseChaosArgs(['--seed', 'x'])).toThrow('--seed takes whole numbers');
    expect(() => parseChaosArgs(['--events', '5'])).toThrow('--events takes a whole number from 100');
    expect(() => parseChaosArgs(['--faults', 'all'])).toThrow('unknown option --faults');
    expect(parseChaosArgs(['--store', 'postgres'])).toMatchObject({ store: 'postgres' });
    expect(() => parseChaosArgs(['--store', 'rds'])).toThrow('--store takes dynamodb or postgres, got rds');
    expect(parseChaosArgs(['--kafka-auth', 'scram-sha-512'])).toMatchObject({ kafkaAuth: 'scram-sha-512' });
    expect(() => parseChaosArgs(['--kafka-auth', 'iam'])).toThrow('--kafka-auth takes none or scram-sha-512, got iam');
    expect(parseChaosArgs(['--kafka-client', 'platformatic'])).toMatchObject({ kafkaClient: 'platformatic' });
    expect(parseChaosArgs([])).not.toHaveProperty('kafkaClient');
    expect(() => parseChaosArgs(['--kafka-client', 'rdkafka'])).toThrow(
      '--kafka-client takes kafkajs or platformatic, got rdkafka',
    );
  });

  it("runs the default run's seed 4 through the SASL_SSL listener and the others in plaintext, unless --kafka-auth says otherwise", () => {
    expect([1, 2, 3, 4, 5].map((seed) => kafkaAuthOf(seed))).toEqual(['none', 'none', 'none', 'scram-sha-512', 'none']);
    expect(kafkaAuthOf(4, 'none')).toBe('none');
    expect(kafkaAuthOf(1, 'scram-sha-512')).toBe('scram-sha-512');
  });

  it("keeps the default run's seed 5 on PostgreSQL and the others on DynamoDB, unless --store says otherwise", () => {
    expect([1, 2, 3, 4, 5].map((seed) => checkpointStoreOf(seed))).toEqual([
      'dynamodb',
      'dynamodb',
      'dynamodb',
      'dynamodb',
      'postgres',
    ]);
    expect(checkpointStoreOf(5, 'dynamodb')).toBe('dynamodb');
    expect(checkpointStoreOf(2, 'postgres')).toBe('postgres');
  });

  it('plans a PostgreSQL kill in every run that keeps its checkpoints there, and none elsewhere; the DynamoDB runs keep their schedules', () => {
    const entities = ['customer', 'invoice', 'payment'];
    for (let seed = 0; seed < 50; seed += 1) {
      const onPostgres = planFaults(seededRandom(seed), 8, entities, { checkpointStore: 'postgres' });
      expect(onPostgres.filter((f) => f.kind === 'postgres-killed').length).toBeGreaterThan(0);
      expect(onPostgres.map((f) => f.kind)).toEqual(expect.arrayContaining(['kafka-killed', 'aws-restarted']));
      for (const kill of onPostgres.filter((f) => f.kind === 'postgres-killed'))
        expect(kill).toMatchObject({ target: 'postgres', seconds: expect.any(Number) });
      const onDynamoDb = planFaults(seededRandom(seed), 8, entities, { checkpointStore: 'dynamodb' });
      expect(onDynamoDb.some((f) => f.kind === 'postgres-killed')).toBe(false);
      expect(onDynamoDb).toEqual(planFaults(seededRandom(seed), 8, entities));
    }
  });
});

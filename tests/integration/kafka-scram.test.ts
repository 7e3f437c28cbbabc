/**
 * MSK's SCRAM/TLS mode on a real broker: the stack's SASL_SSL listener (SCRAM-SHA-512, a
 * certificate for `localhost` signed by the stack's own CA) and the AmazonMSK_* secret on moto.
 * The poller and the retry function publish through it with the settings serverless.yml gives
 * them (CDC_KAFKA_AUTH, CDC_KAFKA_TLS, CDC_KAFKA_SCRAM_SECRET_ARN, CDC_KAFKA_CA_FILE), the
 * local runtime's MSK trigger consumes through it, and what must be refused is refused: a wrong
 * password, a certificate for another host, a CA the client does not trust.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Kafka, logLevel } from 'kafkajs';
import type { PollSummary } from '../../lib/poller';
import { rawRows, topicEndOffsets } from '../../local/demo/observe';
import { type Runtime, startRuntime } from '../../local/runtime';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { CA_PEM, kafkaTlsSecrets } from '../../local/stack/kafka-tls';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localClientConfig, localConfig } from '../helpers/local-stack';
import { parked } from '../helpers/retry-rig';
import { waitFor } from '../helpers/runtime';
import { localKafkaSettings } from '../../stage/local-kafka';

const scram = localKafkaSettings({ ...process.env, CDC_KAFKA_AUTH: 'scram-sha-512' });
const SCRAM_BROKER = scram.brokers[0]!; // localhost:<plaintext port + 4>
const SECRET_ARN = String(scram.scramSecretArn);
const CA_FILE = String(scram.caFile);
const SCRAM_ENV = {
  KAFKA_BROKERS: SCRAM_BROKER,
  CDC_KAFKA_AUTH: 'scram-sha-512',
  CDC_KAFKA_TLS: 'true',
  CDC_KAFKA_SCRAM_SECRET_ARN: SECRET_ARN,
  CDC_KAFKA_CA_FILE: CA_FILE,
};
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`;
const secrets = new SecretsManagerClient(localClientConfig());
let wrongSecretArn: string;
let sim: RunningSimulator;
let p: IsolatedPipeline;
const lines: string[] = [];

beforeAll(async () => {
  sim = await startSimulatorServer({ seed: 19 });
  p = await isolatedPipeline({ functions: ['poller', 'retry', 'consumer'], sourceUrl: sim.url, env: SCRAM_ENV });
  // The right user with another password, in a secret of MSK's shape.
  wrongSecretArn = String(
    (
      await secrets.send(
        new CreateSecretCommand({
          Name: `AmazonMSK_${p.prefix}-wrong`,
          SecretString: JSON.stringify({ username: kafkaTlsSecrets().username, password: WRONG_PASSWORD }),
        }),
      )
    ).ARN,
  );
});

afterAll(async () => {
  await secrets
    .send(new DeleteSecretCommand({ SecretId: wrongSecretArn, ForceDeleteWithoutRecovery: true }))
    .catch(() => undefined);
  secrets.destroy();
  await sim?.close();
  await p?.close();
});

async function withRuntime(
  functions: string[],
  env: Record<string, string>,
  use: (rt: Runtime) => Promise<void>,
): Promise<void> {
  const definitions = p.definitions
    .filter((d) => functions.includes(d.name))
    .map((d) => ({
      ...d,
      environment: { ...d.environment, ...env },
      // The consumer's mapping as serverless.yml makes it with kafkaAuth scram-sha-512 (resources/entities.js).
      msk: d.msk.map((m) => ({ ...m, saslScram512: SECRET_ARN, caFile: CA_FILE })),
    }));
  const rt = await startRuntime(await localConfig(), definitions, {
    log: (line) => lines.push(line),
    brokers: [SCRAM_BROKER],
  });
  try {
    await use(rt);
  } finally {
    await rt.stop();
  }
}

/** Messages on the pipeline's customer topic (its end offsets; nothing is ever deleted from it). */
const topicMessageCount = async (topic: string): Promise<number> => (await topicEndOffsets([topic])).get(topic) ?? 0;
const parkedFor = async (reason: string) => (await parked(p)).filter((i) => i.reason === reason);

describe('SCRAM-SHA-512 over TLS on the stack broker', () => {
  it('the poller publishes every change through the SASL_SSL listener', async () => {
    sim.simulator.generate(60, ['customer']);
    await withRuntime(['poller'], {}, async (rt) => {
      const summary = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
      expect(summary.parked).toEqual({});
      expect(summary.fetched).toBeGreaterThan(10);
      expect(summary.published).toBe(summary.fetched);
      expect(await topicMessageCount(p.topic('customer'))).toBe(summary.published);
    });
  });

  it('a wrong password parks the changes KAFKA_UNAVAILABLE, the log names the cause, and no password is in it', async () => {
    const before = await topicMessageCount(p.topic('customer'));
    sim.simulator.generate(25, ['customer']);
    const from = lines.length;
    await withRuntime(['poller'], { CDC_KAFKA_SCRAM_SECRET_ARN: wrongSecretArn }, async (rt) => {
      const summary = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
      expect(summary.fetched).toBeGreaterThan(10);
      expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: summary.fetched });
      expect((await parkedFor('KAFKA_UNAVAILABLE')).length).toBe(summary.fetched);
    });
    expect(await topicMessageCount(p.topic('customer'))).toBe(before);
    const run = lines.slice(from);
    expect(run.some((l) => /SASL SCRAM SHA512 authentication failed/.test(l) && /invalid credentials/.test(l))).toBe(
      true,
    );
    const { password } = kafkaTlsSecrets();
    expect(lines.filter((l) => l.includes(WRONG_PASSWORD) || l.includes(password))).toEqual([]);
  });

  it('the retry function re-sends what was parked, through the same listener', async () => {
    const before = await topicMessageCount(p.topic('customer'));
    const waiting = (await parkedFor('KAFKA_UNAVAILABLE')).length;
    expect(waiting).toBeGreaterThan(10);
    await withRuntime(['retry'], {}, async (rt) => {
      await waitFor(
        'the fallback table to drain',
        async () => {
          await rt.fire('retry', { sweep: true });
          return (await parked(p)).length === 0;
        },
        60_000,
      );
    });
    expect(await topicMessageCount(p.topic('customer'))).toBe(before + waiting);
  });

  it.each([
    [
      'a certificate that does not name the host it was reached by (127.0.0.1)',
      { KAFKA_BROKERS: SCRAM_BROKER.replace('localhost', '127.0.0.1') },
      /does not match certificate's altnames/,
    ],
    ["a CA the client does not trust (Node's own only)", { CDC_KAFKA_CA_FILE: '' }, /self[- ]signed certificate/],
  ])('%s is refused: the changes are parked, nothing is published', async (_what, env, cause) => {
    const before = await topicMessageCount(p.topic('customer'));
    const parkedBefore = (await parked(p)).length;
    sim.simulator.generate(8, ['customer']);
    const from = lines.length;
    await withRuntime(['poller'], env, async (rt) => {
      const summary = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
      expect(summary.fetched).toBeGreaterThan(0);
      // A key the previous case left parked is parked behind it, in order; every other change for Kafka's refusal.
      const { KAFKA_UNAVAILABLE = 0, PARKED_BEHIND_KEY = 0, ...other } = summary.parked;
      expect(other).toEqual({});
      expect(KAFKA_UNAVAILABLE).toBeGreaterThan(0);
      expect(KAFKA_UNAVAILABLE + PARKED_BEHIND_KEY).toBe(summary.fetched);
      expect((await parked(p)).length).toBe(parkedBefore + summary.fetched);
    });
    expect(await topicMessageCount(p.topic('customer'))).toBe(before);
    expect(lines.slice(from).some((l) => cause.test(l))).toBe(true);
  });

  it("the local runtime's MSK trigger consumes through it: every message reaches the raw bucket", async () => {
    const published = await topicMessageCount(p.topic('customer'));
    await withRuntime(['consumer'], {}, async () => {
      await waitFor(
        'the consumer to write every message',
        async () => (await rawRows(p.s3, p.rawBucket, 'customer')).rows.length >= published,
        90_000,
      );
    });
    expect((await rawRows(p.s3, p.rawBucket, 'customer')).rows.length).toBe(published);
    // And the trigger did connect as the SCRAM user, over TLS: a plaintext-only client of that port cannot.
    const plaintext = new Kafka({
      clientId: 'it-plain',
      brokers: [SCRAM_BROKER],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 2000,
      ssl: { ca: [readFileSync(CA_PEM, 'utf8')] },
    }).admin();
    await expect(plaintext.connect().then(() => plaintext.listTopics())).rejects.toThrow();
    await plaintext.disconnect().catch(() => undefined);
  });
});

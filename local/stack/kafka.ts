import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { localKafkaBrokers } from '../../stage/local-aws';
import { StackError } from './errors';
import { BROKER_KEYSTORE, CA_PEM, ensureKafkaTls, kafkaTlsSecrets } from './kafka-tls';
import { KAFKA_DIR } from './paths';
import { scramPort } from '../../stage/local-kafka';

const run = promisify(execFile);
const DATA_DIR = path.join(KAFKA_DIR, 'data');
const CONFIG = path.join(KAFKA_DIR, 'server.properties');
const LOG4J = path.join(KAFKA_DIR, 'log4j.properties');
const CLASSPATH = `${path.join(KAFKA_DIR, 'libs')}/*`;

export function kafkaAddress(): { host: string; port: number } {
  const [first = '127.0.0.1:9092'] = localKafkaBrokers();
  const [host = '127.0.0.1', port = '9092'] = first.split(':');
  return { host, port: Number(port) };
}

/**
 * Single-node KRaft: broker and controller in one JVM, sized to share 2 cores with Spark. Beside
 * the plaintext listener, a SASL_SSL one with SCRAM-SHA-512 on the plaintext port + 4 (MSK's
 * 9096), advertised as `localhost`, the name on its certificate.
 */
function writeConfig(): void {
  const { host, port } = kafkaAddress();
  const { storePassword } = kafkaTlsSecrets();
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(
    CONFIG,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${host}:${port + 1}`,
      `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${port + 1},SASL_SSL://${host}:${scramPort()}`,
      `advertised.listeners=PLAINTEXT://${host}:${port},SASL_SSL://localhost:${scramPort()}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
      'inter.broker.listener.name=PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `ssl.keystore.location=${BROKER_KEYSTORE}`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.password=${storePassword}`,
      `ssl.key.password=${storePassword}`,
      `log.dirs=${DATA_DIR}`,
      'num.partitions=3',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=8',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=4',
      // Topics are provisioned from serverless.yml; a typo must not silently create one.
      'auto.create.topics.enable=false',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=4',
      'log.retention.hours=168',
      '',
    ].join('\n'),
  );
  writeFileSync(
    LOG4J,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      '',
    ].join('\n'),
  );
}

/**
 * Empties Kafka's storage (the broker must be stopped). The messages on the topics carry Glue
 * schema version ids of the moto they were written against; moto keeps its state in memory, so
 * a fresh moto means those ids no longer resolve, and the checkpoints that said what was sent
 * are gone too: the stack starts both fresh together.
 */
export function clearKafkaData(): boolean {
  if (!existsSync(DATA_DIR)) return false;
  rmSync(DATA_DIR, { recursive: true, force: true });
  return true;
}

/** Formats the storage once (KRaft needs a cluster id in meta.properties before the first start). */
export async function prepareKafka(log: (m: string) => void): Promise<void> {
  await ensureKafkaTls(log);
  writeConfig();
  const { username, password } = kafkaTlsSecrets();
  if (existsSync(path.join(DATA_DIR, 'meta.properties'))) return;
  const clusterId = randomBytes(16).toString('base64url').slice(0, 22);
  // `--cluster-id=<id>`, one argument: an id starting with '-' (1 in 32) would otherwise be read as an option.
  try {
    await run('java', [
      '-cp',
      CLASSPATH,
      `-Dlog4j.configuration=file:${LOG4J}`,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      '-c',
      CONFIG,
      // The SASL_SSL listener's user, in the cluster's metadata from the start (KRaft's way).
      '--add-scram',
      `SCRAM-SHA-512=[name=${username},password=${password}]`,
    ]);
  } catch (error) {
    throw new StackError(
      `kafka: formatting the storage in ${DATA_DIR} failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`,
    );
  }
  log(`kafka: storage formatted (cluster id ${clusterId}, SCRAM user ${username})`);
}

export function kafkaCommand(): [string, string[]] {
  return [
    'java',
    [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${LOG4J}`,
      '-cp',
      CLASSPATH,
      'kafka.Kafka',
      CONFIG,
    ],
  ];
}

export async function kafkaHealthy(): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'cdc-stack-health',
    brokers: localKafkaBrokers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  }).admin();
  try {
    await admin.connect();
    // Answering is not enough after a restart: the partitions must have their logs loaded and
    // serve offsets again (until then the broker answers NOT_LEADER_OR_FOLLOWER).
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Checks that the stack's SCRAM user logs in through the SASL_SSL listener, trusting the stack's
 * CA. A storage formatted before the listener existed (or a TLS folder made again since) lacks
 * the user or has another password: Kafka's own ConfigCommand sets it, through the plaintext
 * listener, and the login is checked again.
 */
export async function ensureScramUser(log: (m: string) => void): Promise<void> {
  if (await scramLoginWorks()) return;
  const { username, password } = kafkaTlsSecrets();
  const { host, port } = kafkaAddress();
  try {
    await run('java', [
      '-cp',
      CLASSPATH,
      `-Dlog4j.configuration=file:${LOG4J}`,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      `${host}:${port}`,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      username,
      '--add-config',
      `SCRAM-SHA-512=[password=${password}]`,
    ]);
  } catch (error) {
    throw new StackError(
      `kafka: setting the SCRAM user ${username} failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`,
    );
  }
  for (let i = 0; i < 20 && !(await scramLoginWorks()); i += 1) await new Promise((r) => setTimeout(r, 500));
  if (!(await scramLoginWorks()))
    throw new StackError(`kafka: the SCRAM user ${username} cannot log in through localhost:${scramPort()}`);
  log(`kafka: SCRAM user ${username} set on the running cluster`);
}

async function scramLoginWorks(): Promise<boolean> {
  const { username, password } = kafkaTlsSecrets();
  const admin = new Kafka({
    clientId: 'cdc-stack-scram-check',
    brokers: [`localhost:${scramPort()}`],
    ssl: { ca: [readFileSync(CA_PEM, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

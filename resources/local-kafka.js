// Stage local's Kafka: the stack's plaintext listener (the default), or with
// CDC_KAFKA_AUTH=scram-sha-512 its SASL_SSL listener, as MSK's SCRAM port: a certificate for
// `localhost` signed by the stack's own CA, and the SCRAM user whose AmazonMSK_* secret the
// stack creates on moto. One switch, read here by serverless.yml's stage local params and by the
// local tools (local/kafka-client.ts), so the functions and the tools always agree.
const path = require('node:path');

const STACK_DIR = path.join(__dirname, '..', '.stack');
const TLS_DIR = path.join(STACK_DIR, 'kafka', 'tls');
/** MSK's ports: 9092 plaintext, 9096 SASL/SCRAM over TLS. Locally: the plaintext port + 4. */
const SCRAM_PORT_OFFSET = 4;
const LOCAL_ACCOUNT = '123456789012';
const LOCAL_REGION = 'us-east-1';

function plaintextBrokers(env = process.env) {
  return (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** The SASL_SSL listener's port, beside the plaintext broker's. */
function scramPort(env = process.env) {
  const [first = '127.0.0.1:9092'] = plaintextBrokers(env);
  return Number(first.split(':')[1] ?? 9092) + SCRAM_PORT_OFFSET;
}

/** The secret's name: MSK requires the AmazonMSK_ prefix. */
function scramSecretName(namePrefix) {
  return `AmazonMSK_${namePrefix}`;
}

function localKafkaSettings(env = process.env, namePrefix = 'cdc-pipeline-local') {
  const auth = env.CDC_KAFKA_AUTH ?? 'none';
  if (auth === 'none') return { auth, tls: false, brokers: plaintextBrokers(env), caFile: null, scramSecretArn: null };
  if (auth !== 'scram-sha-512')
    throw new Error(
      `CDC_KAFKA_AUTH on stage local must be none (the plaintext listener) or scram-sha-512 (the stack's SASL_SSL listener), got "${auth}"`,
    );
  return {
    auth,
    tls: true,
    // `localhost`, the name on the broker's certificate (127.0.0.1 is not on it).
    brokers: [`localhost:${scramPort(env)}`],
    caFile: path.join(TLS_DIR, 'ca.pem'),
    // A partial ARN (no random suffix), which Secrets Manager resolves, as the real one would be known only after creation.
    scramSecretArn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${scramSecretName(namePrefix)}`,
  };
}

module.exports = { TLS_DIR, plaintextBrokers, scramPort, scramSecretName, localKafkaSettings };

// serverless.yml's resolvers (`${file(./resources/local-kafka.js):brokers}` and so on).
const prefixOf = async (resolveVariable) => String(await resolveVariable('param:namePrefix'));
module.exports.auth = () => localKafkaSettings().auth;
module.exports.tls = () => String(localKafkaSettings().tls);
module.exports.brokers = () => localKafkaSettings().brokers.join(',');
module.exports.caFile = () => localKafkaSettings().caFile;
module.exports.scramSecretArn = async ({ resolveVariable }) =>
  localKafkaSettings(process.env, await prefixOf(resolveVariable)).scramSecretArn;

import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import { type Env, optionalString, requireString } from './env';

/**
 * How the producers (poller, retry) authenticate to the brokers. MSK offers IAM (SASL
 * OAUTHBEARER signed with the function's role, port 9098) and SASL/SCRAM-SHA-512 (a Secrets
 * Manager secret, port 9096), both only over TLS; `none` is plaintext or TLS-only (9092/9094)
 * and what the local stack uses.
 */
export type KafkaAuth = (
  | { readonly mechanism: 'none'; readonly tls: boolean }
  | { readonly mechanism: 'iam'; readonly tls: true; readonly region: string }
  | { readonly mechanism: 'scram-sha-512'; readonly tls: true; readonly secretArn: string }
) & {
  /** PEM certificates trusted beside Node's own (CDC_KAFKA_CA_FILE), read at cold start; absent: Node's own only. */
  readonly ca?: string;
};

export const KAFKA_AUTH_MECHANISMS = ['none', 'iam', 'scram-sha-512'] as const;

/** Both settings are required: their defaults (per stage) live in serverless.yml's params only. */
export function parseKafkaAuth(env: Env): KafkaAuth {
  const auth = parseMechanism(env);
  const caFile = optionalString(env, 'CDC_KAFKA_CA_FILE');
  if (caFile === undefined) return auth;
  if (!auth.tls) throw new ConfigError('CDC_KAFKA_CA_FILE', 'is set but CDC_KAFKA_TLS is false: a CA is for TLS only');
  return { ...auth, ca: readCaFile(caFile) };
}

/** The file must be readable and hold at least one PEM certificate; its path is in the message, its content is not. */
function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CDC_KAFKA_CA_FILE', `cannot read "${file}": ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError('CDC_KAFKA_CA_FILE', `"${file}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

function parseMechanism(env: Env): KafkaAuth {
  const mechanism = requireString(env, 'CDC_KAFKA_AUTH');
  const tlsRaw = requireString(env, 'CDC_KAFKA_TLS');
  if (tlsRaw !== 'true' && tlsRaw !== 'false')
    throw new ConfigError('CDC_KAFKA_TLS', `must be true or false, got "${tlsRaw}"`);
  const tls = tlsRaw === 'true';
  switch (mechanism) {
    case 'none':
      return { mechanism, tls };
    case 'iam':
    case 'scram-sha-512': {
      if (tls === false)
        throw new ConfigError(
          'CDC_KAFKA_TLS',
          `must be true with CDC_KAFKA_AUTH=${mechanism}: MSK accepts ${mechanism} only over TLS`,
        );
      if (mechanism === 'iam') {
        const region = optionalString(env, 'AWS_REGION');
        if (region === undefined)
          throw new ConfigError('AWS_REGION', 'is needed to sign MSK IAM authentication (CDC_KAFKA_AUTH=iam)');
        return { mechanism, tls: true, region };
      }
      const secretArn = optionalString(env, 'CDC_KAFKA_SCRAM_SECRET_ARN');
      if (secretArn === undefined)
        throw new ConfigError(
          'CDC_KAFKA_SCRAM_SECRET_ARN',
          'is required with CDC_KAFKA_AUTH=scram-sha-512 (the Secrets Manager secret MSK associates with the cluster)',
        );
      if (!/^arn:aws[\w-]*:secretsmanager:[^:]+:\d{12}:secret:AmazonMSK_/.test(secretArn)) {
        throw new ConfigError(
          'CDC_KAFKA_SCRAM_SECRET_ARN',
          `must be the ARN of a Secrets Manager secret whose name starts with AmazonMSK_ (MSK requires that prefix), got "${secretArn}"`,
        );
      }
      return { mechanism, tls: true, secretArn };
    }
    default:
      throw new ConfigError('CDC_KAFKA_AUTH', `must be one of ${KAFKA_AUTH_MECHANISMS.join(', ')}, got "${mechanism}"`);
  }
}

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';
import type { KafkaAuth } from '../config';
import { KafkaAuthError } from './errors';

/** Where SASL credentials come from: the function's IAM role, or the cluster's SCRAM secret. */
export interface SaslCredentialSource {
  /** A signed MSK IAM token (valid 15 minutes; kafkajs asks again on every new connection). */
  iamToken(region: string): Promise<string>;
  scramCredentials(secretArn: string): Promise<{ username: string; password: string }>;
}

/** kafkajs' `ssl` and `sasl` for the configured authentication. */
export async function kafkaSecurity(
  auth: KafkaAuth,
  source: SaslCredentialSource,
): Promise<{ ssl: boolean; sasl?: SASLOptions }> {
  switch (auth.mechanism) {
    case 'none':
      return { ssl: auth.tls };
    case 'iam':
      return {
        ssl: true,
        sasl: {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => ({ value: await source.iamToken(auth.region) }),
        },
      };
    case 'scram-sha-512': {
      const { username, password } = await source.scramCredentials(auth.secretArn);
      return { ssl: true, sasl: { mechanism: 'scram-sha-512', username, password } };
    }
  }
}

/** The AWS source: the signer library with the default credential chain, and Secrets Manager (read once per container). */
export function awsSaslCredentialSource(
  secrets: () => SecretsManagerClient = () => new SecretsManagerClient({}),
): SaslCredentialSource {
  const scram = new Map<string, Promise<{ username: string; password: string }>>();
  return {
    iamToken: async (region) => (await generateAuthToken({ region })).token,
    scramCredentials: (secretArn) => {
      if (!scram.has(secretArn)) {
        const read = readScramSecret(secrets(), secretArn);
        // A failed read is not cached: the next connection attempt reads again.
        read.catch(() => scram.delete(secretArn));
        scram.set(secretArn, read);
      }
      return scram.get(secretArn)!;
    },
  };
}

async function readScramSecret(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<{ username: string; password: string }> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(SecretString ?? '');
  } catch {
    throw new KafkaAuthError(
      `the SCRAM secret ${secretArn} (CDC_KAFKA_SCRAM_SECRET_ARN) is not JSON; MSK expects {"username": …, "password": …}`,
    );
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new KafkaAuthError(
      `the SCRAM secret ${secretArn} (CDC_KAFKA_SCRAM_SECRET_ARN) needs a non-empty "username" and "password"`,
    );
  }
  return { username, password };
}

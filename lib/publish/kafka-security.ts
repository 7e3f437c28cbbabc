import type { ConnectionOptions } from 'node:tls';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';
import type { KafkaAuth } from '../config';
import { readOnce, readUsernamePassword, type UsernamePassword } from '../secrets/username-password';
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
): Promise<{ ssl: boolean | ConnectionOptions; sasl?: SASLOptions }> {
  // Node checks the certificate's chain and its name against the broker's host either way.
  const tls: true | ConnectionOptions = auth.ca === undefined ? true : { ca: [auth.ca] };
  switch (auth.mechanism) {
    case 'none':
      return { ssl: auth.tls ? tls : false };
    case 'iam':
      return {
        ssl: tls,
        sasl: {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => ({ value: await source.iamToken(auth.region) }),
        },
      };
    case 'scram-sha-512': {
      const { username, password } = await source.scramCredentials(auth.secretArn);
      return { ssl: tls, sasl: { mechanism: 'scram-sha-512', username, password } };
    }
  }
}

/** The AWS source: the signer library with the default credential chain, and Secrets Manager (read once per container). */
export function awsSaslCredentialSource(
  secrets: () => SecretsManagerClient = () => new SecretsManagerClient({}),
): SaslCredentialSource {
  const scram = new Map<string, () => Promise<UsernamePassword>>();
  return {
    iamToken: async (region) => (await generateAuthToken({ region })).token,
    scramCredentials: (secretArn) => {
      if (!scram.has(secretArn))
        scram.set(
          secretArn,
          readOnce(() =>
            readUsernamePassword(
              secrets(),
              secretArn,
              (problem, cause) =>
                new KafkaAuthError(`${problem} (CDC_KAFKA_SCRAM_SECRET_ARN, MSK's SCRAM secret)`, cause),
            ),
          ),
        );
      return scram.get(secretArn)!();
    },
  };
}

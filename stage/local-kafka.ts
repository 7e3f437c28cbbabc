/** Stage local's Kafka listener settings, typed; the code is CommonJS, shared with serverless.yml (resources/local-kafka.js). */
export interface LocalKafkaSettings {
  readonly auth: 'none' | 'scram-sha-512';
  readonly tls: boolean;
  readonly brokers: string[];
  /** The stack's CA (PEM) with SCRAM on; null for plaintext. */
  readonly caFile: string | null;
  /** The AmazonMSK_* secret on moto, as a partial ARN; null for plaintext. */
  readonly scramSecretArn: string | null;
}

interface LocalKafkaModule {
  readonly TLS_DIR: string;
  scramPort(env?: NodeJS.ProcessEnv): number;
  scramSecretName(namePrefix: string): string;
  localKafkaSettings(env?: NodeJS.ProcessEnv, namePrefix?: string): LocalKafkaSettings;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require('../resources/local-kafka.js') as LocalKafkaModule;

export const { TLS_DIR, scramPort, scramSecretName, localKafkaSettings } = shared;

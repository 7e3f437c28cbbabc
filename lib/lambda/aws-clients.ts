import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';

/** Every AWS SDK client a function may use; each is created on first use, then reused. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  readonly sns: SNSClient;
  readonly lambda: LambdaClient;
  readonly emr: EMRServerlessClient;
}

/** What a client's constructor needs beyond the SDK's own defaults. */
export interface ClientOptions {
  /** S3 on a local endpoint (moto) needs path-style addressing. */
  readonly forcePathStyle: boolean;
}

/**
 * The clients one function uses, each as its constructor call. A function's wiring imports only
 * its own clients' packages: each SDK client costs its package's load at cold start (the whole
 * set, loaded by every function before, was most of the poller's init).
 */
export type ClientFactories = { readonly [K in keyof AwsClients]?: (options: ClientOptions) => AwsClients[K] };

/**
 * AWS SDK clients, created once per container and only those a function asks for. The SDK
 * honours AWS_ENDPOINT_URL itself (stage local sets it to moto); S3 then also needs path-style
 * addressing. Asking for a client the function was not given is a programming error, named.
 */
export function awsClients(
  factories: ClientFactories,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsClients {
  const options: ClientOptions = { forcePathStyle: env.AWS_ENDPOINT_URL !== undefined && env.AWS_ENDPOINT_URL !== '' };
  const made = new Map<keyof AwsClients, unknown>();
  const once = <K extends keyof AwsClients>(name: K): AwsClients[K] => {
    if (!made.has(name)) {
      const create = factories[name];
      if (create === undefined) throw new Error(`this function's wiring was not given the AWS ${name} client`);
      made.set(name, create(options));
    }
    return made.get(name) as AwsClients[K];
  };
  return {
    get dynamodb() {
      return once('dynamodb');
    },
    get s3() {
      return once('s3');
    },
    get glue() {
      return once('glue');
    },
    get ssm() {
      return once('ssm');
    },
    get secrets() {
      return once('secrets');
    },
    get sns() {
      return once('sns');
    },
    get lambda() {
      return once('lambda');
    },
    get emr() {
      return once('emr');
    },
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

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

/**
 * AWS SDK clients, created once per container and only those a function asks for. The SDK
 * honours AWS_ENDPOINT_URL itself (stage local sets it to moto); S3 then also needs path-style
 * addressing.
 */
export function awsClients(env: Readonly<Record<string, string | undefined>> = process.env): AwsClients {
  const local = env.AWS_ENDPOINT_URL !== undefined && env.AWS_ENDPOINT_URL !== '';
  const made = new Map<keyof AwsClients, unknown>();
  const once = <K extends keyof AwsClients>(name: K, create: () => AwsClients[K]): AwsClients[K] => {
    if (!made.has(name)) made.set(name, create());
    return made.get(name) as AwsClients[K];
  };
  return {
    get dynamodb() {
      return once('dynamodb', () => new DynamoDBClient({}));
    },
    get s3() {
      return once('s3', () => new S3Client({ forcePathStyle: local }));
    },
    get glue() {
      return once('glue', () => new GlueClient({}));
    },
    get ssm() {
      return once('ssm', () => new SSMClient({}));
    },
    get secrets() {
      return once('secrets', () => new SecretsManagerClient({}));
    },
    get sns() {
      return once('sns', () => new SNSClient({}));
    },
    get lambda() {
      return once('lambda', () => new LambdaClient({}));
    },
    get emr() {
      return once('emr', () => new EMRServerlessClient({}));
    },
  };
}

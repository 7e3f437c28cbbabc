import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * AWS SDK clients, created once per container. The SDK honours AWS_ENDPOINT_URL itself (stage
 * local sets it to moto); S3 then also needs path-style addressing.
 */
export function awsClients(env: Readonly<Record<string, string | undefined>> = process.env): { dynamodb: DynamoDBClient; s3: S3Client; glue: GlueClient; ssm: SSMClient } {
  const local = env.AWS_ENDPOINT_URL !== undefined && env.AWS_ENDPOINT_URL !== '';
  return { dynamodb: new DynamoDBClient({}), s3: new S3Client({ forcePathStyle: local }), glue: new GlueClient({}), ssm: new SSMClient({}) };
}

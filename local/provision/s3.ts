import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import { localClientConfig } from '../../stage/local-aws';
import type { PhysicalResource } from '../serverless/intrinsics';

function client(): S3Client {
  return new S3Client({ ...localClientConfig(), forcePathStyle: true });
}

/** AWS::S3::Bucket → CreateBucket, encryption, public access block. Idempotent. */
export async function provisionBucket(props: {
  BucketName: string;
  BucketEncryption?: {
    ServerSideEncryptionConfiguration: {
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' | 'aws:kms'; KMSMasterKeyID?: string };
    }[];
  };
  PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration;
}): Promise<PhysicalResource> {
  const s3 = client();
  try {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: props.BucketName }));
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    }
    if (props.BucketEncryption) {
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: props.BucketName,
          // CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
          ServerSideEncryptionConfiguration: {
            Rules: props.BucketEncryption.ServerSideEncryptionConfiguration.map((rule) => ({
              ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
            })),
          },
        }),
      );
    }
    if (props.PublicAccessBlockConfiguration) {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: props.BucketName,
          PublicAccessBlockConfiguration: props.PublicAccessBlockConfiguration,
        }),
      );
    }
    return { ref: props.BucketName, attributes: { Arn: `arn:aws:s3:::${props.BucketName}` } };
  } finally {
    s3.destroy();
  }
}

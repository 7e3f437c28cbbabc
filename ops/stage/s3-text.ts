import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

/** An object's body as text, or undefined when there is no such object. */
export async function readS3Text(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

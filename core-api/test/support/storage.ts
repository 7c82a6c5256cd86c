import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3ObjectStorage, type S3Settings } from '../../src/platform/storage/s3.ts';
import { required, testEnv } from './env.ts';

/** The S3 server of this run: the embedded one, or the real one named by S3_ENDPOINT and its keys. */
export function testS3Settings(bucket: string): S3Settings {
  const real = process.env.S3_ENDPOINT;
  return {
    endpoint: real ?? required(testEnv.s3Endpoint),
    region: process.env.S3_REGION ?? 'us-east-1',
    bucket,
    accessKeyId: real ? required('S3_ACCESS_KEY_ID') : required(testEnv.s3AccessKeyId),
    secretAccessKey: real ? required('S3_SECRET_ACCESS_KEY') : required(testEnv.s3SecretAccessKey),
    forcePathStyle: true,
  };
}

/** A bucket of its own for one test file, emptied and removed by destroy(). */
export async function createTestStorage(): Promise<S3ObjectStorage & { destroy(): Promise<void> }> {
  const bucket = `pasar-test-${randomBytes(5).toString('hex')}`;
  const storage = new S3ObjectStorage(testS3Settings(bucket));
  await storage.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return Object.assign(storage, {
    destroy: async () => {
      const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length) await storage.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      await storage.client.send(new DeleteBucketCommand({ Bucket: bucket }));
      storage.close();
    },
  });
}

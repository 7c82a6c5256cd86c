/** Names under which the global setup hands its services to the test files (also across parallel workers). */
export const testEnv = {
  adminUrl: 'PASAR_TEST_ADMIN_DATABASE_URL',
  s3Endpoint: 'PASAR_TEST_S3_ENDPOINT',
  s3Bucket: 'PASAR_TEST_S3_BUCKET',
  s3AccessKeyId: 'PASAR_TEST_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'PASAR_TEST_S3_SECRET_ACCESS_KEY',
  smtpUrl: 'PASAR_TEST_SMTP_URL',
  inboxUrl: 'PASAR_TEST_INBOX_URL',
} as const;

export const TEMPLATE_DATABASE = 'pasar_test_template';

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through mocha (test/support/global.ts sets it)`);
  return value;
}

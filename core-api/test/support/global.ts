import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createKnex, migrateLatest } from '../../src/platform/db/knex.ts';
import { startEmbeddedMail } from '../../src/platform/embedded/mail.ts';
import { startEmbeddedPostgres } from '../../src/platform/embedded/postgres.ts';
import { startEmbeddedS3 } from '../../src/platform/embedded/s3.ts';
import { TEMPLATE_DATABASE, testEnv } from './env.ts';

/**
 * Once per test run: the real services the tests talk to. The embedded ones by default; the
 * real servers when DATABASE_URL, S3_ENDPOINT (+ keys) or SMTP_URL are set in the environment.
 * Each test file then gets its own database, cloned from a migrated template.
 */
const stops: Array<() => Promise<unknown>> = [];

export async function mochaGlobalSetup(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasar-test-'));
  stops.push(() => rm(dataDir, { recursive: true, force: true }));

  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({ dataDir, persistent: false });
    stops.push(() => server.stop());
    adminUrl = server.url;
  }
  process.env[testEnv.adminUrl] = adminUrl;

  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DATABASE}`);
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const template = createKnex(url.toString());
  await migrateLatest(template);
  await template.destroy();

  if (!process.env.S3_ENDPOINT) {
    const s3 = await startEmbeddedS3({ dataDir, bucket: 'pasar-test' });
    stops.push(() => s3.stop());
    Object.assign(process.env, {
      [testEnv.s3Endpoint]: s3.endpoint,
      [testEnv.s3Bucket]: s3.bucket,
      [testEnv.s3AccessKeyId]: s3.accessKeyId,
      [testEnv.s3SecretAccessKey]: s3.secretAccessKey,
    });
  }
  if (!process.env.SMTP_URL) {
    const mail = await startEmbeddedMail({});
    stops.push(() => mail.stop());
    process.env[testEnv.smtpUrl] = mail.smtpUrl;
    process.env[testEnv.inboxUrl] = mail.inboxUrl;
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}

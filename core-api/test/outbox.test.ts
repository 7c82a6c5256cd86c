import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { enqueue } from '../src/modules/outbox/outbox.ts';
import { LEASE_SECONDS, purgeOutbox, relayOutbox, type OutboxRow } from '../src/modules/outbox/relay.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { testS3Settings } from './support/storage.ts';
import { required, testEnv } from './support/env.ts';

describe('the outbox relay', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await app.db.knex('outbox').delete();
  });

  const event = async (productId: string) => {
    await enqueue(app.db.knex, 'catalog.product-changed', [{ productId }]);
    return (await app.db.knex('outbox').whereRaw("payload->>'productId' = ?", [productId]).first()).id as string;
  };

  it('should never start a handler its lease cannot cover: the rest of the batch is given back untouched', async function () {
    this.timeout(60_000);
    const ids = [await event('a'), await event('b'), await event('c')];
    // one millisecond apart by microseconds only: the order must come from Postgres, not from a JavaScript Date
    for (const [i, id] of ids.entries()) await app.db.knex('outbox').where({ id }).update({ createdAt: app.db.knex.raw(`date_trunc('milliseconds', now()) + make_interval(secs => ?)`, [(i + 1) / 1e6]) });
    const handled: string[] = [];
    const slow = { 'catalog.product-changed': async (row: OutboxRow<'catalog.product-changed'>) => {
      handled.push(row.payload.productId);
      await new Promise((resolve) => setTimeout(resolve, 5_500));
    } };
    // 3 rows of 5.5 s under a 20 s lease with an 8 s handler timeout: the third would start at 11 s and could run to 19 s, past the 2 s margin
    expect(await relayOutbox(app.db.knex, slow)).to.equal(2);
    expect(handled).to.deep.equal(['a', 'b']);
    const rows = await app.db.knex('outbox').whereIn('id', ids).orderBy('createdAt');
    expect(rows.map((r) => [r.status, r.attempts, r.lockedUntil])).to.deep.equal([['done', 1, null], ['done', 1, null], ['pending', 0, null]]);
  });

  it('should count a handler that does not finish within its timeout as a failure and retry it later', async function () {
    this.timeout(30_000);
    const id = await event('stuck');
    const hanging = { 'catalog.product-changed': () => new Promise<void>(() => {}) };
    expect(await relayOutbox(app.db.knex, hanging)).to.equal(0);
    const row = await app.db.knex('outbox').where({ id }).first();
    expect(row).to.include({ status: 'pending', attempts: 1, lockedUntil: null });
    expect(row.lastError).to.include('did not finish');
    expect(row.availableAt.getTime()).to.be.above(Date.now());
  });

  it("should leave a row another worker holds under its lease, and take it once the lease ran out (a crashed worker's claim)", async () => {
    const id = await event('claimed');
    const seen: string[] = [];
    const record = { 'catalog.product-changed': async (row: OutboxRow<'catalog.product-changed'>) => void seen.push(row.id) };
    await app.db.knex('outbox').where({ id }).update({ lockedUntil: app.db.knex.raw(`now() + make_interval(secs => ?)`, [LEASE_SECONDS]), attempts: 1 });
    expect(await relayOutbox(app.db.knex, record)).to.equal(0);
    await app.db.knex('outbox').where({ id }).update({ lockedUntil: app.db.knex.raw(`now() - interval '1 second'`) });
    expect(await relayOutbox(app.db.knex, record)).to.equal(1);
    expect(seen).to.deep.equal([id]);
    expect((await app.db.knex('outbox').where({ id }).first()).attempts).to.equal(2);
  });

  it('should purge delivered rows older than the retention and keep the rest', async () => {
    const [old, recent, pending] = [await event('old'), await event('recent'), await event('pending')];
    await app.db.knex('outbox').where({ id: old }).update({ status: 'done', processedAt: app.db.knex.raw(`now() - interval '8 days'`) });
    await app.db.knex('outbox').where({ id: recent }).update({ status: 'done', processedAt: app.db.knex.raw(`now() - interval '6 days'`) });
    await app.db.knex('outbox').where({ id: pending }).update({ createdAt: app.db.knex.raw(`now() - interval '30 days'`) });
    expect(await purgeOutbox(app.db.knex, 7)).to.equal(1);
    expect((await app.db.knex('outbox').pluck('id')).sort()).to.deep.equal([recent, pending].sort());
  });

  describe('failed rows', () => {
    it('should show in GET /health as degraded with their count, and in npm run jobs -- outbox', async function () {
      this.timeout(60_000);
      const id = await event('broken');
      await app.db.knex('outbox').where({ id }).update({ status: 'failed', attempts: 10, lastError: 'SMTP said no' });
      const health = await app.request('GET', '/health');
      expect(health.status).to.equal(200);
      expect(health.body.status).to.equal('degraded');
      expect(health.body.outbox).to.deep.equal({ failed: 1 });

      const s3 = testS3Settings(app.config.s3!.bucket);
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        JWT_SECRET: app.config.auth.jwtSecret,
        PAYMENT_WEBHOOK_SECRET: app.config.payments.webhookSecret,
        DATABASE_URL: app.db.url,
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        SMTP_URL: process.env.SMTP_URL ?? required(testEnv.smtpUrl),
      };
      const cli = fileURLToPath(new URL('../src/cli/jobs.ts', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'outbox'], { env });
      expect(stdout).to.include('1 failed');
      expect(stdout).to.include(id).and.include('catalog.product-changed').and.include('SMTP said no');
    });
  });
});

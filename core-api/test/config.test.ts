import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  const made: string[] = [];
  const dataDir = () => {
    made.push(mkdtempSync(path.join(tmpdir(), 'pasar-config-')));
    return made.at(-1)!;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('should run embedded when nothing is set', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.s3).to.equal(undefined);
    expect(config.smtpUrl).to.equal(undefined);
    expect(config.mongoUrl).to.equal(undefined);
    expect(config.meili).to.equal(undefined);
    expect(config.port).to.equal(3000);
    expect(config.auth.accessTokenTtlSeconds).to.equal(900);
  });

  it('should switch each part to its real service when its variable is set', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      DATABASE_URL: 'postgres://u:p@db:5432/pasar',
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
      SMTP_URL: 'smtp://mailpit:1025',
      MONGO_URL: 'mongodb://mongo:27017/pasar',
      MEILI_URL: 'http://meili:7700',
      MEILI_API_KEY: 'master',
    });
    expect(config.databaseUrl).to.equal('postgres://u:p@db:5432/pasar');
    expect(config.s3).to.include({ endpoint: 'http://minio:9000', bucket: 'pasar', forcePathStyle: true });
    expect(config.smtpUrl).to.equal('smtp://mailpit:1025');
    expect(config.mongoUrl).to.equal('mongodb://mongo:27017/pasar');
    expect(config.meili).to.deep.equal({ url: 'http://meili:7700', apiKey: 'master' });
  });

  it('should generate a signing secret once and keep it in DATA_DIR', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).auth.jwtSecret;
    expect(first).to.have.length.above(40);
    expect(readFileSync(path.join(dir, 'jwt-secret'), 'utf8').trim()).to.equal(first);
    expect(loadConfig({ DATA_DIR: dir }).auth.jwtSecret).to.equal(first);
  });

  it('should refuse to start in production without a signing secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).to.throw(ConfigError, /JWT_SECRET must be set/);
    expect(() => loadConfig({ JWT_SECRET: 'short', DATA_DIR: dataDir() })).to.throw(ConfigError, /at least 32/);
  });

  it('should refuse access tokens longer than 15 minutes and nonsense numbers', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ACCESS_TOKEN_TTL_SECONDS: '3600' })).to.throw(ConfigError, /900/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), PORT: 'abc' })).to.throw(ConfigError, /PORT/);
  });

  it('should generate the payment webhook secret in DATA_DIR in embedded mode, keep it, and demand one in production', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.payments.webhookSecret).to.have.length.above(32);
    expect(readFileSync(path.join(dir, 'payment-webhook-secret'), 'utf8').trim()).to.equal(first.payments.webhookSecret);
    expect(loadConfig({ DATA_DIR: dir }).payments.webhookSecret, 'a second process on the same DATA_DIR shares it').to.equal(first.payments.webhookSecret);
    expect(first.payments.ttlSeconds).to.equal(86400);
    expect(first.outbox.retentionDays).to.equal(7);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DATA_DIR: dataDir() };
    expect(() => loadConfig(production)).to.throw(ConfigError, /PAYMENT_WEBHOOK_SECRET must be set/);
    expect(() => loadConfig({ ...production, PAYMENT_WEBHOOK_SECRET: 'short' })).to.throw(ConfigError, /at least 32/);
  });

  it('should name the front ends `npm start` runs in the banner', () => {
    const started = loadConfig({ DATA_DIR: dataDir(), STOREFRONT_URL: 'http://localhost:4321', SELLER_PORTAL_URL: 'http://localhost:5173' });
    expect(started.banner).to.deep.equal({ storefrontUrl: 'http://localhost:4321', sellerPortalUrl: 'http://localhost:5173' });
    const alone = loadConfig({ DATA_DIR: dataDir() });
    expect(alone.banner).to.deep.equal({ storefrontUrl: undefined, sellerPortalUrl: undefined });
  });

  it('should run jobs unless JOBS=off, and refuse anything else', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).jobs).to.equal(true);
    expect(loadConfig({ DATA_DIR: dataDir(), JOBS: 'off' }).jobs).to.equal(false);
    expect(() => loadConfig({ DATA_DIR: dataDir(), JOBS: 'maybe' })).to.throw(ConfigError, /JOBS/);
  });

  it('should want keys with an S3 endpoint', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), S3_ENDPOINT: 'http://minio:9000' })).to.throw(ConfigError, /S3_ACCESS_KEY_ID/);
  });
});

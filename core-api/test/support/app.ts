import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { expect } from 'chai';
import { createPasarClient, type PasarClient } from '@pasar/openapi';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { answerUnparsableRequests } from '../../src/http/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { OpenApiValidator, loadSpec } from '../../src/http/openapi.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createTestStorage, testS3Settings } from './storage.ts';
import { required, testEnv } from './env.ts';

export const validator = new OpenApiValidator(loadSpec());
/** Signs the simulated gateway's notifications in tests (as PAYMENT_WEBHOOK_SECRET would). */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-that-is-long-enough-for-hmac';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  url: string;
  config: Config;
  platform: Platform;
  db: TestDatabase;
  /** The generated typed client, on a fetch that checks every response against the spec. */
  client: PasarClient;
  /** A raw request (for what the typed client cannot send: malformed JSON, wrong types), response checked too. */
  request(method: string, path: string, init?: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** Fails the test when a response is not what openapi.yaml documents for its operation and status. */
export async function checkedFetch(input: Request): Promise<Response> {
  // the tests read the API's English; a test of another language says so
  if (!input.headers.has('accept-language')) input.headers.set('accept-language', 'en');
  const response = await fetch(input);
  const url = new URL(input.url);
  const op = validator.match(input.method, url.pathname);
  if (!op) return response;
  const text = await response.clone().text();
  const type = response.headers.get('content-type');
  let body: unknown = text;
  if (text && type?.includes('json')) body = JSON.parse(text);
  const problems = validator.responseErrors(op, response.status, text ? type : null, text ? body : undefined);
  expect(problems, `${input.method} ${url.pathname} -> ${response.status} does not match the spec:\n${text.slice(0, 500)}`).to.deep.equal([]);
  expect(response.headers.get('x-request-id'), 'every response carries X-Request-Id').to.be.a('string');
  expect(response.headers.get('content-language'), 'every response carries Content-Language').to.be.oneOf(['id', 'en']);
  return response;
}

/**
 * The real app on its own database, with the run's S3 server (its own bucket) and SMTP catcher.
 * `env` overrides configuration the way environment variables would.
 */
export async function startTestApp(env: Record<string, string> | ((db: TestDatabase) => Record<string, string>) = {}): Promise<TestApp> {
  // the port first, so PUBLIC_URL (image URLs) names this server
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const db = await createTestDatabase();
  const storage = await createTestStorage();
  const settings = testS3Settings(storage.bucket);
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    PAYMENT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    BCRYPT_ROUNDS: '4',
    DATABASE_URL: db.url,
    S3_ENDPOINT: settings.endpoint,
    S3_BUCKET: settings.bucket,
    S3_ACCESS_KEY_ID: settings.accessKeyId,
    S3_SECRET_ACCESS_KEY: settings.secretAccessKey,
    SMTP_URL: process.env.SMTP_URL ?? required(testEnv.smtpUrl),
    MONGO_URL: process.env.MONGO_URL,
    MEILI_URL: process.env.MEILI_URL,
    MEILI_API_KEY: process.env.MEILI_API_KEY,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PUBLIC_URL: url,
    // test files register far more accounts from 127.0.0.1 than one shopper would; the limit has its own test
    REGISTER_LIMIT_PER_IP: '100000',
    ...(typeof env === 'function' ? env(db) : env),
  });
  const log = createLogger(config);
  const platform = await startPlatform(config, { log });
  server.on('request', buildApp({ config, platform, log }).callback());
  answerUnparsableRequests(server);

  return {
    url,
    config,
    platform,
    db,
    client: createPasarClient(url, { fetch: checkedFetch }),
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      let body: string | undefined = init.raw;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const response = await checkedFetch(new Request(url + path, { method, headers, body }));
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, headers: response.headers, body: text && type.includes('json') ? JSON.parse(text) : text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await platform.stop();
      await storage.destroy();
      await db.destroy();
    },
  };
}

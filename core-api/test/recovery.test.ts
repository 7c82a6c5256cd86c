import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../src/platform/db/knex.ts';
import { freePort } from '../src/platform/embedded/ports.ts';
import { createTestDatabase } from './support/db.ts';
import { required, testEnv } from './support/env.ts';
import { createTestStorage, testS3Settings } from './support/storage.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const worker = fileURLToPath(new URL('../src/worker.ts', import.meta.url));
const OVERRIDES = ['DATABASE_URL', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'SMTP_URL', 'MONGO_URL', 'MEILI_URL', 'JWT_SECRET', 'NODE_ENV', 'JOBS'];
const EMAIL_TOPICS = ['checkout.completed', 'order.placed', 'order.status-changed', 'inventory.low-stock'];
const smtpUrl = () => process.env.SMTP_URL ?? required(testEnv.smtpUrl);

interface Running {
  child: ChildProcess;
  output: string;
}

/** Starts an entry (the API as `npm start` runs it, or the worker) and waits for it to say it is up. */
async function launch(entry: string, env: Record<string, string>, ready: string): Promise<Running> {
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', BCRYPT_ROUNDS: '4', ...env };
  for (const name of OVERRIDES) if (!(name in env)) delete full[name];
  const child = spawn(process.execPath, [entry], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, output: '' };
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      running.output += chunk.toString();
      if (running.output.includes(ready)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${path.basename(entry)} exited with ${code} before it was up:\n${running.output}`)));
  });
  return running;
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGINT');
  await exited;
}

async function api(base: string, method: string, url: string, body?: unknown, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(base + url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The Message-IDs the run's SMTP catcher received, with how many copies of each. */
async function caughtMessageIds(): Promise<Map<string, number>> {
  const all = (await (await fetch(`${required(testEnv.inboxUrl)}/api/email`)).json()) as Array<{ messageId?: string; headers?: Record<string, string> }>;
  const counts = new Map<string, number>();
  for (const mail of all) {
    const id = (mail.messageId ?? mail.headers?.['message-id'] ?? '').replace(/^<|>$/g, '');
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** A seller with one product, and shoppers each with it in their cart, made through the API. */
async function shop(knex: Knex, bases: string[], shoppers: number) {
  const category = (await knex('categories').first('id')) ?? (await knex('categories').insert({ slug: `uji-${randomUUID().slice(0, 8)}`, nameId: 'Uji', nameEn: 'Test', position: 0 }).returning('id'))[0];
  const seller = await api(bases[0], 'POST', '/auth/register', { email: `seller.${randomUUID()}@pasar.test`, password: 'rahasia-sekali-123', name: 'Penjual', role: 'seller', store: { name: `Toko ${randomUUID().slice(0, 6)}`, location: 'Yogyakarta' } });
  expect(seller.status, JSON.stringify(seller.body)).to.equal(201);
  const product = await api(bases[0], 'POST', '/seller/products', { title: 'Kain Batik Tulis', categoryId: category.id, status: 'active', variants: [{ options: {}, price: 250000, stock: 1000 }] }, seller.body.accessToken);
  expect(product.status, JSON.stringify(product.body)).to.equal(201);
  const tokens: string[] = [];
  for (let i = 0; i < shoppers; i++) {
    const base = bases[i % bases.length];
    const buyer = await api(base, 'POST', '/auth/register', { email: `buyer.${randomUUID()}@pasar.test`, password: 'rahasia-sekali-123', name: 'Pembeli', role: 'customer' });
    expect(buyer.status).to.equal(201);
    expect((await api(base, 'POST', '/cart/items', { variantId: product.body.variants[0].id, quantity: 1 }, buyer.body.accessToken)).status).to.equal(200);
    tokens.push(buyer.body.accessToken);
  }
  return tokens;
}

const checkout = (base: string, token: string) =>
  api(base, 'POST', '/checkout', { shippingAddress: { recipient: 'Budi', phone: '081234567890', street: 'Jl. Malioboro 1', city: 'Yogyakarta', province: 'DIY', postalCode: '55213' }, paymentMethod: 'cod' }, token, { 'idempotency-key': randomUUID() });

const until = async (what: string, ms: number, check: () => Promise<boolean>) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('recovery after kill -9 of the API (embedded mode)', function () {
  this.timeout(300_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pasar-crash-'));
  const running: Running[] = [];
  after(async () => {
    for (const r of running) await stop(r);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const postgresOf = () => {
    const lines = readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), url: `postgres://pasar:pasar@127.0.0.1:${Number(lines[3])}/pasar` };
  };

  it('should restart on the same DATA_DIR, answer /health within 90 s and deliver every pending email once within 30 s of that', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, PORT: String(port), SMTP_URL: smtpUrl() };
    const first = await launch(server, env, 'Ctrl-C stops everything');
    running.push(first);
    let knex = createKnex(postgresOf().url);
    const tokens = await shop(knex, [base], 12);
    await knex.destroy();

    // checkouts in flight, then kill -9 once a few have answered
    const answers: number[] = [];
    const inFlight = tokens.map((token) => checkout(base, token).then((r) => answers.push(r.status), () => answers.push(0)));
    await until('the first checkouts', 30_000, async () => answers.length >= 4);
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await Promise.all([killed, ...inFlight]);

    // its Postgres is left running, holding the data directory
    const orphan = postgresOf();
    expect(() => process.kill(orphan.pid, 0), 'the killed API left its Postgres running').to.not.throw();
    knex = createKnex(orphan.url);
    const pending: Array<{ id: string; claimed: boolean }> = await knex('outbox')
      .whereIn('topic', EMAIL_TOPICS)
      .where({ status: 'pending' })
      .select('id', knex.raw('(locked_until is not null and locked_until > now()) as claimed'));
    const checkouts = Number((await knex('checkouts').where({ status: 'completed' }).count({ n: '*' }))[0].n);
    await knex.destroy();
    expect(checkouts, 'some checkouts committed before the kill').to.be.above(0);
    expect(pending.length, 'emails were waiting when the API died').to.be.above(0);

    const restartedAt = Date.now();
    const second = await launch(server, env, 'Ctrl-C stops everything');
    running.push(second);
    await until('/health 200', 90_000 - (Date.now() - restartedAt), async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200);
    const healthyAfterMs = Date.now() - restartedAt;
    expect(healthyAfterMs).to.be.below(90_000);
    expect(() => process.kill(orphan.pid, 0), 'the orphan was stopped, not shared').to.throw();

    await until('every pending email', 30_000, async () => {
      const caught = await caughtMessageIds();
      return pending.every((row) => caught.has(`${row.id}@outbox.pasar`));
    });
    const deliveredAfterMs = Date.now() - restartedAt - healthyAfterMs;
    const caught = await caughtMessageIds();
    process.stdout.write(`      (after kill -9: /health 200 ${healthyAfterMs} ms after the restart; ${pending.length} pending emails, ${pending.filter((r) => r.claimed).length} of them claimed, all caught ${deliveredAfterMs} ms after that)\n`);
    for (const row of pending) {
      const copies = caught.get(`${row.id}@outbox.pasar`)!;
      // a row the dead process had claimed may have reached the SMTP server before the kill: one resend, same Message-ID
      if (row.claimed) expect(copies, `claimed row ${row.id}`).to.be.within(1, 2);
      else expect(copies, `row ${row.id}`).to.equal(1);
    }

    // npm run jobs beside the running API attaches to its Postgres instead of refusing
    const jobsCli = fileURLToPath(new URL('../src/cli/jobs.ts', import.meta.url));
    const cliEnv: NodeJS.ProcessEnv = { ...process.env, ...env, SEED_DEMO: 'false' };
    for (const name of OVERRIDES) if (!(name in env)) delete cliEnv[name];
    const outbox = await promisify(execFile)(process.execPath, [jobsCli, 'outbox'], { env: cliEnv });
    expect(outbox.stdout).to.match(/outbox: .*done/);
    const relay = await promisify(execFile)(process.execPath, [jobsCli, 'run', 'outbox.relay'], { env: cliEnv });
    expect(relay.stdout).to.include('outbox.relay ran.');
    expect((await fetch(`${base}/health`)).status, 'the API kept its Postgres').to.equal(200);
    await stop(second);
    expect(second.child.exitCode, second.output).to.equal(0);
  });
});

describe('scale-out: two API processes (JOBS=off) and one worker on one database', function () {
  this.timeout(300_000);
  const running: Running[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(function () {
    // what the processes said, when it failed
    if (this.currentTest?.state === 'failed') for (const r of running) process.stderr.write(`--- pid ${r.child.pid} (exit ${r.child.exitCode})\n${r.output}\n`);
  });
  after(async () => {
    for (const r of running) await stop(r);
    for (const cleanup of cleanups) await cleanup();
  });

  it('should serve checkouts on both APIs, process no jobs there, and have the worker deliver every email exactly once', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.destroy());
    const storage = await createTestStorage();
    cleanups.push(() => storage.destroy());
    const s3 = testS3Settings(storage.bucket);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pasar-scale-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const shared = {
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      SMTP_URL: smtpUrl(),
    };
    const ports = [await freePort(), await freePort()];
    const apis = await Promise.all(ports.map((port) => launch(server, { ...shared, PORT: String(port), JOBS: 'off' }, 'Ctrl-C stops everything')));
    running.push(...apis);
    expect(apis[0].output).to.include('JOBS=off');
    const bases = ports.map((port) => `http://127.0.0.1:${port}`);

    const tokens = await shop(db.knex, bases, 8);
    const answers = await Promise.all(tokens.map((token, i) => checkout(bases[i % 2], token)));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(201));
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const waiting = await db.knex('outbox').whereIn('topic', EMAIL_TOPICS).select('id', 'status');
    expect(waiting.length).to.be.at.least(16);
    expect(waiting.every((r) => r.status === 'pending'), 'no API process ran the relay').to.equal(true);
    const soldCounts = () => db.knex.raw(`select p.id, p.sold_count, coalesce(sum(i.quantity), 0) as units from products p left join order_items i on i.product_id = p.id group by 1`);
    const sold = (await soldCounts()).rows;
    expect(sold.some((p: { units: string }) => Number(p.units) > 0)).to.equal(true);
    expect(sold.every((p: { sold_count: number }) => p.sold_count === 0), 'no API process folded the sold counts').to.equal(true);

    running.push(await launch(worker, { ...shared, LOG_LEVEL: 'info' }, 'worker running'));
    await until('the worker delivering every email', 60_000, async () => {
      const caught = await caughtMessageIds();
      return waiting.every((row) => caught.has(`${row.id}@outbox.pasar`));
    });
    const caught = await caughtMessageIds();
    for (const row of waiting) expect(caught.get(`${row.id}@outbox.pasar`), row.id).to.equal(1);
    // a row is marked done just after its email is accepted
    await until('every delivered row marked done', 10_000, async () =>
      (await db.knex('outbox').whereIn('id', waiting.map((r) => r.id)).whereNot({ status: 'done' })).length === 0);
    // the worker folds the units sold into the products' sold counts (every 10 seconds)
    await until('the sold counts folded', 30_000, async () => (await soldCounts()).rows.every((p: { sold_count: number; units: string }) => p.sold_count === Number(p.units)));
  });
});

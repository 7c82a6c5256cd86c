import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { signAccessTokenAt } from '../core-api/src/http/auth.ts';
import { createKnex, migrateLatest } from '../core-api/src/platform/db/knex.ts';
import { startEmbeddedPostgres } from '../core-api/src/platform/embedded/postgres.ts';
import { startEmbeddedS3 } from '../core-api/src/platform/embedded/s3.ts';
import { S3ObjectStorage } from '../core-api/src/platform/storage/s3.ts';
import { buildDataset, type DatasetSize } from './dataset.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    stores: { type: 'string', default: '500' },
    shoppers: { type: 'string', default: '20000' },
    orders: { type: 'string', default: '200000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: path.join(here, 'results') },
    'data-dir': { type: 'string', default: process.env.BENCH_DATA_DIR ?? path.resolve(here, '../.data/bench') },
  },
});
const size: DatasetSize = { products: +flags.products, stores: +flags.stores, shoppers: +flags.shoppers, orders: +flags.orders };
const duration = +flags.duration;
const connections = +flags.connections;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

export interface ScenarioResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
  sqlPerRequest: number;
  ratioToBaseline: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
}

class Server {
  private readonly child: ChildProcess;
  apiPort = 0;
  barePort = 0;

  /** The server's error log (pino, level 50+), shown when a scenario saw a 5xx. */
  readonly errors: string[] = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.child = fork(path.join(here, 'server.ts'), { env: { ...env, LOG_LEVEL: 'error' }, stdio: ['inherit', 'pipe', 'inherit', 'ipc'] });
    this.child.stdout!.setEncoding('utf8');
    let partial = '';
    this.child.stdout!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      this.errors.push(...lines.filter((line) => line.includes('"level":50') || line.includes('"level":60')));
    });
  }
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
      this.child.on('message', (m: { type: string; apiPort: number; barePort: number }) => {
        if (m.type === 'ready') Object.assign(this, { apiPort: m.apiPort, barePort: m.barePort }) && resolve();
      });
    });
  }
  statements(reset = false): Promise<number> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { statements: number }) => resolve(m.statements));
      this.child.send({ type: 'count' });
      if (reset) this.child.send({ type: 'reset' });
    });
  }
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'stop' });
    });
  }
}

type Request = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };

async function load(server: Server, name: string, url: string, next: () => Request, opts: { amount?: number; connections?: number } = {}): Promise<Omit<ScenarioResult, 'ratioToBaseline'>> {
  await server.statements(true);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: opts.connections ?? connections,
        ...(opts.amount ? { amount: opts.amount } : { duration }),
        requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  const sorted = latencies.sort((a, b) => a - b);
  const total = latencies.length;
  const statements = await server.statements();
  const seconds = result.duration;
  process.stdout.write(`  ${name}: ${Math.round(total / seconds)} req/s, p99 ${percentile(sorted, 99)} ms\n`);
  return {
    name,
    requests: total,
    rps: Math.round(total / seconds),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.errors + result.timeouts,
    statuses,
    sqlPerRequest: total ? Math.round((statements / total) * 10) / 10 : 0,
  };
}

/** Carts filled straight in SQL, so the checkout scenarios measure checkout alone. */
async function fillCarts(db: Knex, shopperIds: string[], pick: (i: number) => string[]): Promise<void> {
  await db('cartItems').whereIn('cartId', db('carts').whereIn('userId', shopperIds).select('id')).delete();
  const carts: Array<{ id: string; userId: string }> = await db('carts')
    .insert(shopperIds.map((userId) => ({ userId })))
    .onConflict('userId')
    .merge({ updatedAt: db.fn.now() })
    .returning(['id', 'userId']);
  const byUser = new Map(carts.map((c) => [c.userId, c.id]));
  const rows = shopperIds.flatMap((userId, i) => pick(i).map((variantId) => ({ cartId: byUser.get(userId), variantId, quantity: 1, unitPriceAtAdd: 0 })));
  for (let i = 0; i < rows.length; i += 5000) await db('cartItems').insert(rows.slice(i, i + 5000));
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: Array<() => Promise<unknown>> = [];
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: flags['data-dir'] });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  const s3 = await startEmbeddedS3({ dataDir: flags['data-dir'], bucket: 'pasar' });
  stops.push(() => s3.stop());
  const db = createKnex(databaseUrl, { max: 4 });
  stops.push(() => db.destroy());
  try {
    await migrateLatest(db);
    const storage = new S3ObjectStorage({ ...s3, region: 'us-east-1', forcePathStyle: true });
    const built = await buildDataset(db, storage, size);
    process.stdout.write(built ? 'Dataset built.\n' : 'Dataset reused.\n');

    const server = new Server({
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET,
      DATABASE_URL: databaseUrl,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    await server.ready();
    stops.unshift(() => server.stop());
    const api = `http://127.0.0.1:${server.apiPort}`;

    // access tokens are accepted only while their session (a refresh-token family) is live
    const sessionOf = async (userIds: string[]) => {
      const rows = userIds.map((userId) => ({ userId, familyId: randomUUID(), tokenHash: randomUUID(), expiresAt: new Date(Date.now() + 86_400_000) }));
      for (let k = 0; k < rows.length; k += 1000) await db('refreshTokens').insert(rows.slice(k, k + 1000));
      return rows.map((r) => r.familyId);
    };
    const token = (id: string, role: 'customer' | 'seller', sessionId: string) => signAccessTokenAt({ id, role, sessionId }, JWT_SECRET, 900, new Date());
    const shoppers: string[] = await db('users').where('email', 'like', 'shopper%@bench.pasar.test').orderBy('id').limit(3000).pluck('id');
    const shopperSessions = await sessionOf(shoppers);
    const tokens = shoppers.map((id, k) => token(id, 'customer', shopperSessions[k]));
    const productIds: string[] = await db('products').where({ status: 'active' }).orderByRaw('md5(id::text)').limit(2000).pluck('id');
    const variantIds: string[] = await db('productVariants').where('stock', '>', 50).orderByRaw('md5(id::text)').limit(2000).pluck('id');
    const largest = (await db('orders').select('storeId').count({ n: '*' }).groupBy('storeId').orderBy('n', 'desc').first()) as { storeId: string; n: string } | undefined;
    const owner = await db('stores').where({ id: largest!.storeId }).first('ownerId');
    let i = 0;
    const address = JSON.stringify({ shippingAddress: { recipient: 'Bench', phone: '081200001111', street: 'Jl. Bench 2', cityCode: '31.71', postalCode: '10110' }, paymentMethod: 'cod' });
    const checkout = (n: number): Request => ({
      method: 'POST',
      path: '/checkout',
      headers: { authorization: `Bearer ${tokens[n % tokens.length]}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: address,
    });

    process.stdout.write(`Running scenarios (${duration} s each, ${connections} connections):\n`);
    const results: Array<Omit<ScenarioResult, 'ratioToBaseline'>> = [];
    results.push(await load(server, 'baseline: bare Koa route', `http://127.0.0.1:${server.barePort}`, () => ({ method: 'GET', path: '/' })));
    results.push(await load(server, 'product list', api, () => ({ method: 'GET', path: `/products?sort=newest&pageSize=24&page=${1 + (i++ % 20)}` })));
    results.push(await load(server, 'search: a word', api, () => ({ method: 'GET', path: `/products?q=${['batik', 'kopi', 'rotan', 'tenun'][i++ % 4]}&pageSize=24` })));
    results.push(await load(server, 'search: a typo', api, () => ({ method: 'GET', path: `/products?q=${['kemja', 'sepato', 'arabica', 'ketanjang'][i++ % 4]}&pageSize=24` })));
    results.push(await load(server, 'product detail', api, () => ({ method: 'GET', path: `/products/${productIds[i++ % productIds.length]}` })));
    results.push(
      await load(server, 'add to cart', api, () => ({
        method: 'POST',
        path: '/cart/items',
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ variantId: variantIds[i++ % variantIds.length], quantity: 1 }),
      })),
    );

    // every prepared shopper buys three lines from random variants with plenty of stock
    await db('productVariants').whereIn('id', variantIds).update({ stock: 1_000_000 });
    await fillCarts(db, shoppers, (n) => [0, 1, 2].map((k) => variantIds[(n * 3 + k) % variantIds.length]));
    let n = 0;
    results.push(await load(server, 'checkout across many variants', api, () => checkout(n++), { amount: shoppers.length }));

    // 64 shoppers at once on one variant: sold must equal the stock taken, never below zero
    const hot = variantIds[0];
    const racers = Math.min(1000, shoppers.length);
    const initialStock = Math.floor(racers * 0.3);
    await db('productVariants').where({ id: hot }).update({ stock: initialStock });
    const ordersBefore = await db('orderItems').where({ variantId: hot }).sum({ n: 'quantity' }).first();
    await fillCarts(db, shoppers.slice(0, racers), () => [hot]);
    n = 0;
    results.push(await load(server, 'checkout: one hot variant, 64 shoppers', api, () => checkout(n++), { amount: racers, connections: 64 }));
    const finalStock = (await db('productVariants').where({ id: hot }).first()).stock as number;
    const ordersAfter = await db('orderItems').where({ variantId: hot }).sum({ n: 'quantity' }).first();
    const sold = Number(ordersAfter!.n) - Number(ordersBefore!.n);
    const hotCheck = { initialStock, finalStock, sold, created: results.at(-1)!.statuses['201'] ?? 0, oversold: sold !== initialStock - finalStock || finalStock < 0 };

    const sellerToken = token(owner!.ownerId, 'seller', (await sessionOf([owner!.ownerId]))[0]);
    results.push(await load(server, 'seller analytics, largest store', api, () => ({ method: 'GET', path: '/seller/analytics', headers: { authorization: `Bearer ${sellerToken}` } })));

    const baseline = results[0].rps;
    const final: ScenarioResult[] = results.map((r) => ({ ...r, ratioToBaseline: Math.round((r.rps / baseline) * 1000) / 1000 }));
    const largestOrders = Number(largest!.n);
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
    const report = { date: new Date().toISOString(), machine, dataset: size, largestStoreOrders: largestOrders, durationSeconds: duration, connections, hotVariant: hotCheck, scenarios: final };
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(path.join(flags.out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
    const table = [
      `Ran ${report.date.slice(0, 10)} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; dataset ${size.products} products, ${size.stores} stores, ${size.shoppers} shoppers, ${size.orders} orders (largest store ${largestOrders}).`,
      '',
      '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | statuses | SQL/req | × baseline |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|',
      ...final.map((r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.errors} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${r.sqlPerRequest} | ${r.ratioToBaseline} |`),
      '',
      `Hot variant: stock ${hotCheck.initialStock} → ${hotCheck.finalStock}, sold ${hotCheck.sold}, ${hotCheck.created} checkouts created, oversold: ${hotCheck.oversold ? 'YES' : 'no'}.`,
    ].join('\n');
    writeFileSync(path.join(flags.out, 'latest.md'), table + '\n');
    if (final.some((r) => Object.keys(r.statuses).some((status) => status.startsWith('5')))) {
      process.stdout.write(`\nSome requests failed with 5xx; the server logged:\n${server.errors.slice(0, 20).join('\n')}\n`);
    }
    process.stdout.write(`\n${table}\n\nWritten to ${path.join(flags.out, 'latest.json')} and latest.md in ${Math.round((Date.now() - started) / 1000)} s.\n`);
    if (hotCheck.oversold) process.exitCode = 1;
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

await main();

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { signAccessTokenAt } from '../core-api/src/domain/access-token.ts';
import { createKnex, migrateLatest } from '../core-api/src/platform/db/knex.ts';
import { startEmbeddedMail } from '../core-api/src/platform/embedded/mail.ts';
import { startEmbeddedPostgres } from '../core-api/src/platform/embedded/postgres.ts';
import { startEmbeddedS3 } from '../core-api/src/platform/embedded/s3.ts';
import { S3ObjectStorage } from '../core-api/src/platform/storage/s3.ts';
import { buildDataset, type DatasetSize } from './dataset.ts';
import { renderReport, type Report, type Run, type ScenarioSummary } from './report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultOut = path.join(here, 'results');
const { values: flags } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    stores: { type: 'string', default: '500' },
    shoppers: { type: 'string', default: '20000' },
    orders: { type: 'string', default: '200000' },
    /** Each run lasts at least this long and until it has min-samples answers, at most 30 s. */
    duration: { type: 'string', default: '10' },
    'min-samples': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: defaultOut },
    'build-only': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: process.env.BENCH_DATA_DIR ?? path.resolve(here, '../.data/bench') },
  },
});
const size: DatasetSize = { products: +flags.products, stores: +flags.stores, shoppers: +flags.shoppers, orders: +flags.orders };
const duration = +flags.duration;
const minSamples = +flags['min-samples'];
const connections = +flags.connections;
const MAX_SECONDS = 30;
const HISTORY = 10;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
}

/** CPU seconds used so far by every process of the embedded Postgres (descendants of this process named postgres). */
function postgresCpuSeconds(): number | null {
  try {
    const ticks = 100;
    const children = new Map<number, number[]>();
    const stat = new Map<number, { name: string; cpu: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        const ppid = +fields[1];
        stat.set(+entry, { name, cpu: (+fields[11] + +fields[12] + +fields[13] + +fields[14]) / ticks });
        children.set(ppid, [...(children.get(ppid) ?? []), +entry]);
      } catch {
        // the process ended meanwhile
      }
    }
    let total = 0;
    const walk = (pid: number) => {
      for (const child of children.get(pid) ?? []) {
        if (stat.get(child)?.name === 'postgres') total += stat.get(child)!.cpu;
        walk(child);
      }
    };
    walk(process.pid);
    return total;
  } catch {
    return null;
  }
}

/** Proportional memory (PSS, shared pages split) of the embedded Postgres processes, in MB. */
function postgresPssMb(): number | null {
  try {
    const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' });
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/)).map(([pid, ppid, comm]) => ({ pid: +pid, ppid: +ppid, comm }));
    const mine = new Set<number>([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) (mine.add(r.pid), (grew = true));
    }
    let kb = 0;
    for (const r of rows) {
      if (!mine.has(r.pid) || r.comm !== 'postgres') continue;
      const rollup = readFileSync(`/proc/${r.pid}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    }
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
}

interface ServerStats {
  statements: number;
  top: Array<{ sql: string; calls: number; meanMs: number; totalMs: number }>;
  cpu: { user: number; system: number };
  rss: number;
}

class Server {
  private readonly child: ChildProcess;
  apiPort = 0;
  uncachedPort = 0;
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
      this.child.on('message', (m: { type: string; apiPort: number; uncachedPort: number; barePort: number }) => {
        if (m.type === 'ready') Object.assign(this, { apiPort: m.apiPort, uncachedPort: m.uncachedPort, barePort: m.barePort }) && resolve();
      });
    });
  }
  stats(reset = false): Promise<ServerStats> {
    return new Promise((resolve) => {
      const on = (m: ServerStats & { type: string }) => {
        if (m.type !== 'stats') return;
        this.child.off('message', on);
        resolve(m);
      };
      this.child.on('message', on);
      this.child.send({ type: 'stats' });
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

interface Scenario {
  /** What the targets refer to. */
  key: string;
  name: string;
  /** Which listener: the API as configured, the API with the catalog answer cache off, or the bare Koa route. */
  target: 'api' | 'uncached' | 'bare';
  next: () => Request;
  /** A fixed request rate (the load a target names); otherwise as fast as the connections go. */
  rate?: number;
  connections?: number;
  /** A fixed number of requests (checkouts: one per prepared cart). */
  amount?: () => number;
  before?: () => Promise<void>;
  after?: (run: Run) => Promise<void>;
}

async function runOnce(server: Server, scenario: Scenario, round: number): Promise<Run> {
  await scenario.before?.();
  await server.stats(true);
  const port = { api: server.apiPort, uncached: server.uncachedPort, bare: server.barePort }[scenario.target];
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pgBefore = postgresCpuSeconds();
  const apiBefore = await server.stats();
  const meBefore = process.cpuUsage();
  const startedAt = performance.now();
  const amount = scenario.amount?.();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: scenario.connections ?? connections,
        ...(scenario.rate ? { overallRate: scenario.rate } : {}),
        ...(amount ? { amount } : { duration: MAX_SECONDS }),
        requests: [{ setupRequest: (req) => ({ ...req, ...scenario.next() }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    // a run ends once it is long enough and has enough answers, or after MAX_SECONDS whatever it has
    // (a fixed number of checkouts that stalls is reported as it stands, not waited for)
    const timer = setInterval(() => {
      const seconds = (performance.now() - startedAt) / 1000;
      if ((!amount && seconds >= duration && latencies.length >= minSamples) || seconds >= MAX_SECONDS) (clearInterval(timer), instance.stop());
    }, 100);
    instance.on('done', () => clearInterval(timer));
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const stats = await server.stats();
  const me = process.cpuUsage(meBefore);
  const pgAfter = postgresCpuSeconds();
  const sorted = latencies.sort((a, b) => a - b);
  const total = latencies.length;
  const cores = (micros: number) => Math.round((micros / 1e6 / seconds) * 100) / 100;
  const run: Run = {
    round,
    requests: total,
    seconds: Math.round(seconds * 10) / 10,
    rps: Math.round(total / seconds),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.errors + result.timeouts,
    statuses,
    sqlPerRequest: total ? Math.round((stats.statements / total) * 10) / 10 : 0,
    apiRssMb: Math.round(stats.rss / 2 ** 20),
    cpuCores: {
      api: cores(stats.cpu.user + stats.cpu.system - apiBefore.cpu.user - apiBefore.cpu.system),
      postgres: pgBefore === null || pgAfter === null ? null : Math.round(((pgAfter - pgBefore) / seconds) * 100) / 100,
      loadGenerator: cores(me.user + me.system),
    },
    topStatements: stats.top,
  };
  await scenario.after?.(run);
  process.stdout.write(`  [${round}] ${scenario.name}: ${run.rps} req/s, p95 ${run.p95} ms, p99 ${run.p99} ms, ${run.sqlPerRequest} SQL/req, API ${run.apiRssMb} MB\n`);
  return run;
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

function gitCommit(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: here, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : Math.round(((s[s.length / 2 - 1] + s[s.length / 2]) / 2) * 100) / 100) : 0;
};

function summarize(scenario: Scenario, runs: Run[]): ScenarioSummary {
  const of = (key: 'rps' | 'p50' | 'p95' | 'p99') => ({ median: median(runs.map((r) => r[key])), min: Math.min(...runs.map((r) => r[key])), max: Math.max(...runs.map((r) => r[key])) });
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const cpu = (k: 'api' | 'postgres' | 'loadGenerator') => {
    const xs = runs.map((r) => r.cpuCores[k]).filter((x): x is number => x !== null);
    return xs.length ? median(xs) : null;
  };
  return {
    key: scenario.key,
    name: scenario.name,
    target: scenario.target,
    rate: scenario.rate ?? null,
    connections: scenario.connections ?? connections,
    runs,
    rps: of('rps'),
    p50: of('p50'),
    p95: of('p95'),
    p99: of('p99'),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    statuses,
    sqlPerRequest: median(runs.map((r) => r.sqlPerRequest)),
    apiRssMb: Math.max(...runs.map((r) => r.apiRssMb)),
    cpuCores: { api: cpu('api'), postgres: cpu('postgres'), loadGenerator: cpu('loadGenerator') },
    topStatements: runs.at(-1)!.topStatements,
  };
}

async function main(): Promise<void> {
  const began = Date.now();
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
    const buildStarted = Date.now();
    const built = await buildDataset(db, storage, size);
    process.stdout.write(built ? `Dataset built in ${Math.round((Date.now() - buildStarted) / 1000)} s.\n` : 'Dataset reused.\n');
    if (flags['build-only']) return;
    const mail = await startEmbeddedMail({});
    stops.push(() => mail.stop());

    const server = new Server({
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET,
      // production refuses to start without it; the bench sends no payment notifications
      PAYMENT_WEBHOOK_SECRET: `${JWT_SECRET}-webhook`,
      DATABASE_URL: databaseUrl,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      SMTP_URL: mail.smtpUrl,
    });
    await server.ready();
    stops.unshift(() => server.stop());

    // access tokens are accepted only while their session (a refresh-token family) is live
    const sessionOf = async (userIds: string[]) => {
      const rows = userIds.map((userId) => ({ userId, familyId: randomUUID(), tokenHash: randomUUID(), expiresAt: new Date(Date.now() + 86_400_000) }));
      for (let k = 0; k < rows.length; k += 1000) await db('refreshTokens').insert(rows.slice(k, k + 1000));
      return rows.map((r) => r.familyId);
    };
    const token = (id: string, role: 'customer' | 'seller', sessionId: string) => signAccessTokenAt({ id, role, sessionId }, JWT_SECRET, 3600, new Date());
    const shoppers: string[] = await db('users').where('email', 'like', 'shopper%@bench.pasar.test').orderBy('id').limit(3000).pluck('id');
    const shopperSessions = await sessionOf(shoppers);
    const tokens = shoppers.map((id, k) => token(id, 'customer', shopperSessions[k]));
    const productIds: string[] = await db('products').where({ status: 'active' }).orderByRaw('md5(id::text)').limit(2000).pluck('id');
    const variantIds: string[] = await db('productVariants').where('stock', '>', 50).orderByRaw('md5(id::text)').limit(2000).pluck('id');
    const largest = (await db('orders').select('storeId').count({ n: '*' }).groupBy('storeId').orderBy('n', 'desc').first()) as { storeId: string; n: string } | undefined;
    const owner = await db('stores').where({ id: largest!.storeId }).first('ownerId');
    const sellerToken = token(owner!.ownerId, 'seller', (await sessionOf([owner!.ownerId]))[0]);
    let i = 0;
    const address = JSON.stringify({ shippingAddress: { recipient: 'Bench', phone: '081200001111', street: 'Jl. Bench 2', cityCode: '31.71', postalCode: '10110' }, paymentMethod: 'cod' });
    let n = 0;
    const checkout = (): Request => ({
      method: 'POST',
      path: '/checkout',
      headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: address,
    });
    const words = ['batik', 'kopi', 'rotan', 'tenun', 'kemeja', 'sepatu', 'teh', 'tas', 'kain', 'keranjang', 'vas', 'sabun', 'lampu', 'celana', 'dompet', 'melati'];
    const typos = ['kemja', 'sepato', 'arabca', 'ketanjang', 'batk', 'btik', 'rotna', 'dompte'];
    const hot = variantIds[0];
    const racers = Math.min(1000, shoppers.length);
    const initialStock = Math.floor(racers * 0.3);
    const hotChecks: Array<{ round: number; initialStock: number; finalStock: number; sold: number; created: number; oversold: boolean }> = [];
    let soldBefore = 0;

    const scenarios: Scenario[] = [
      { key: 'baseline', name: 'baseline: bare Koa route, no middleware', target: 'bare', next: () => ({ method: 'GET', path: '/' }) },
      { key: 'floor', name: 'floor: GET /categories through every middleware, cached, no SQL', target: 'api', next: () => ({ method: 'GET', path: '/categories' }) },
      { key: 'list', name: 'product list: newest, 20 pages, at 500 req/s', target: 'api', rate: 500, next: () => ({ method: 'GET', path: `/products?sort=newest&pageSize=24&page=${1 + (i++ % 20)}` }) },
      { key: 'detail', name: 'product detail: 2,000 products, answer cache on', target: 'api', next: () => ({ method: 'GET', path: `/products/${productIds[i++ % productIds.length]}` }) },
      { key: 'detailUncached', name: 'product detail: 2,000 products, answer cache off', target: 'uncached', next: () => ({ method: 'GET', path: `/products/${productIds[i++ % productIds.length]}` }) },
      { key: 'search', name: 'search: 16 words × 5 pages, answer cache off, at 200 req/s', target: 'uncached', rate: 200, next: () => ({ method: 'GET', path: `/products?q=${words[i % words.length]}&page=${1 + (Math.floor(i++ / words.length) % 5)}&pageSize=24` }) },
      { key: 'typo', name: 'search: 8 typos, answer cache off, at 100 req/s', target: 'uncached', rate: 100, next: () => ({ method: 'GET', path: `/products?q=${typos[i++ % typos.length]}&pageSize=24` }) },
      {
        key: 'cart',
        name: 'add to cart: 3,000 shoppers, 2,000 variants',
        target: 'api',
        next: () => ({
          method: 'POST',
          path: '/cart/items',
          headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ variantId: variantIds[i++ % variantIds.length], quantity: 1 }),
        }),
      },
      {
        key: 'checkout',
        name: 'checkout: 3,000 shoppers, 3 lines each from 2,000 variants',
        target: 'api',
        amount: () => shoppers.length,
        next: checkout,
        before: async () => {
          await db('productVariants').whereIn('id', variantIds).update({ stock: 1_000_000 });
          await fillCarts(db, shoppers, (k) => [0, 1, 2].map((j) => variantIds[(k * 3 + j) % variantIds.length]));
          n = 0;
        },
      },
      {
        key: 'hot',
        name: `checkout: one hot variant, ${racers} shoppers over 64 connections`,
        target: 'api',
        connections: 64,
        amount: () => racers,
        next: checkout,
        before: async () => {
          await db('productVariants').where({ id: hot }).update({ stock: initialStock });
          soldBefore = Number((await db('orderItems').where({ variantId: hot }).sum({ n: 'quantity' }).first())!.n ?? 0);
          await fillCarts(db, shoppers.slice(0, racers), () => [hot]);
          n = 0;
        },
        after: async (run) => {
          const finalStock = (await db('productVariants').where({ id: hot }).first()).stock as number;
          const sold = Number((await db('orderItems').where({ variantId: hot }).sum({ n: 'quantity' }).first())!.n ?? 0) - soldBefore;
          hotChecks.push({ round: run.round, initialStock, finalStock, sold, created: run.statuses['201'] ?? 0, oversold: sold !== initialStock - finalStock || finalStock < 0 });
        },
      },
      { key: 'analytics', name: `seller analytics: largest store (${Number(largest!.n)} orders), at 20 req/s`, target: 'api', rate: 20, next: () => ({ method: 'GET', path: '/seller/analytics', headers: { authorization: `Bearer ${sellerToken}` } }) },
      { key: 'health', name: 'health: every check, answers at most 2 s old', target: 'api', next: () => ({ method: 'GET', path: '/health' }) },
    ];

    const runs = new Map<Scenario, Run[]>(scenarios.map((s) => [s, []]));
    const rounds = Math.max(1, +flags.runs);
    const rssAfterFirstRound: number[] = [];
    process.stdout.write(`Running ${scenarios.length} scenarios × ${rounds} interleaved rounds (each run ≥ ${duration} s and ≥ ${minSamples} answers, ≤ ${MAX_SECONDS} s):\n`);
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of scenarios) runs.get(scenario)!.push(await runOnce(server, scenario, round));
      if (round === 1) rssAfterFirstRound.push(runs.get(scenarios.at(-1)!)!.at(-1)!.apiRssMb);
    }

    const summaries = scenarios.map((s) => summarize(s, runs.get(s)!));
    const all = summaries.flatMap((s) => s.runs.map((r) => r.apiRssMb));
    const { commit, dirty } = gitCommit();
    const report: Report = {
      date: new Date().toISOString(),
      commit,
      dirty,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
      dataset: size,
      largestStoreOrders: Number(largest!.n),
      rounds,
      durationSeconds: duration,
      minSamples,
      connections,
      hotVariant: hotChecks,
      memory: { apiRssMaxMb: Math.max(...all), apiRssAfterWarmupMb: rssAfterFirstRound[0] ?? all[0], apiRssEndMb: all.at(-1)!, postgresPssMb: postgresPssMb() },
      scenarios: summaries,
    };
    const markdown = renderReport(report);
    mkdirSync(path.join(flags.out, 'history'), { recursive: true });
    writeFileSync(path.join(flags.out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(path.join(flags.out, 'latest.md'), markdown + '\n');
    writeFileSync(path.join(flags.out, 'history', `${report.date.slice(0, 19).replace(/:/g, '')}-${commit.slice(0, 8)}.json`), JSON.stringify(report) + '\n');
    const history = readdirSync(path.join(flags.out, 'history')).filter((f) => f.endsWith('.json')).sort();
    for (const old of history.slice(0, Math.max(0, history.length - HISTORY))) rmSync(path.join(flags.out, 'history', old));
    // the README's table is this report, never typed by hand (only full runs into bench/results write it)
    const readme = path.resolve(here, '../README.md');
    if (path.resolve(flags.out) === defaultOut && existsSync(readme)) {
      const text = readFileSync(readme, 'utf8');
      const start = '<!-- bench:start (generated by npm run bench) -->';
      const end = '<!-- bench:end -->';
      if (text.includes(start) && text.includes(end)) {
        writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + '\n' + markdown + '\n' + text.slice(text.indexOf(end)));
      }
    }
    if (summaries.some((r) => Object.keys(r.statuses).some((status) => status.startsWith('5')))) {
      process.stdout.write(`\nSome requests failed with 5xx; the server logged:\n${server.errors.slice(0, 20).join('\n')}\n`);
    }
    process.stdout.write(`\n${markdown}\n\nWritten to ${path.join(flags.out, 'latest.json')} and latest.md in ${Math.round((Date.now() - began) / 1000)} s.\n`);
    if (hotChecks.some((h) => h.oversold)) process.exitCode = 1;
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

await main();

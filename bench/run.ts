import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
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
    /** Only these scenarios (keys, comma-separated): a partial run, never written to the README. */
    only: { type: 'string' },
    /** Heap snapshots of both API processes after each round go to this directory (to find what grows). */
    'heap-snapshots': { type: 'string' },
    'data-dir': { type: 'string', default: process.env.BENCH_DATA_DIR ?? path.resolve(here, '../.data/bench') },
  },
});
const size: DatasetSize = { products: +flags.products, stores: +flags.stores, shoppers: +flags.shoppers, orders: +flags.orders };
const duration = +flags.duration;
const minSamples = +flags['min-samples'];
const connections = +flags.connections;
const MAX_SECONDS = 30;
/** Unrecorded warm-up before a fixed-rate run. */
const WARMUP_SECONDS = 3;
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
    let found = 0;
    const walk = (pid: number) => {
      for (const child of children.get(pid) ?? []) {
        if (stat.get(child)?.name === 'postgres') (total += stat.get(child)!.cpu), found++;
        walk(child);
      }
    };
    walk(process.pid);
    // none of ours: Postgres runs elsewhere (DATABASE_URL), its CPU is not ours to tell
    return found ? total : null;
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
    let found = 0;
    for (const r of rows) {
      if (!mine.has(r.pid) || r.comm !== 'postgres') continue;
      found++;
      const rollup = readFileSync(`/proc/${r.pid}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    }
    return found ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

interface ServerStats {
  statements: number;
  top: Array<{ sql: string; calls: number; meanMs: number; totalMs: number }>;
  cpu: { user: number; system: number };
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

type Role = 'api' | 'uncached' | 'bare';

/** The Node flags `npm start` runs the API with (core-api/package.json): the bench measures the API as it runs. */
function apiNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.resolve(here, '../core-api/package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

/** One process under load (bench/server.ts in the given role). */
class Server {
  private readonly child: ChildProcess;
  port = 0;
  /** The server's warnings and errors (pino, level 40+: a payment provider that failed is a warning), shown when a scenario saw a 5xx. */
  readonly errors: string[] = [];

  readonly role: Role;

  constructor(role: Role, env: NodeJS.ProcessEnv) {
    this.role = role;
    this.child = fork(path.join(here, 'server.ts'), [role], { execArgv: [...process.execArgv, ...apiNodeFlags()], env: { ...env, LOG_LEVEL: 'warn' }, stdio: ['inherit', 'pipe', 'inherit', 'ipc'] });
    this.child.stdout!.setEncoding('utf8');
    let partial = '';
    this.child.stdout!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      this.errors.push(...lines.filter((line) => /"level":(40|50|60)/.test(line)));
    });
  }
  get pid(): number {
    return this.child.pid!;
  }
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`bench server (${this.role}) exited with ${code}`)));
      this.child.on('message', (m: { type: string; port: number }) => {
        if (m.type === 'ready') {
          this.port = m.port;
          resolve();
        }
      });
    });
  }
  private ask<T>(type: string, extra: Record<string, unknown> = {}): Promise<T> {
    return new Promise((resolve) => {
      const on = (m: T & { type: string }) => {
        if (m.type !== type) return;
        this.child.off('message', on);
        resolve(m);
      };
      this.child.on('message', on);
      this.child.send({ type, ...extra });
    });
  }
  async stats(reset = false): Promise<ServerStats> {
    const stats = await this.ask<ServerStats>('stats');
    if (reset) this.child.send({ type: 'reset' });
    return stats;
  }
  async snapshot(file: string): Promise<string> {
    return (await this.ask<{ file: string }>('snapshot', { path: file })).file;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
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

type Servers = Record<Role, Server>;

/**
 * A fixed request rate, evenly spaced: request k is due at k / rate seconds, sent over at most
 * `connections` kept-alive sockets (queued while all are busy), and its latency counts from when
 * it was due, so a server that falls behind shows it (no coordinated omission). (autocannon's rate
 * limit lets each connection send its share of a second back to back when the second starts:
 * bursts, not a rate.)
 */
async function paced(port: number, scenario: Scenario, record: (latencyMs: number, status: number) => void, done: () => boolean): Promise<{ errors: number; timeouts: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: scenario.connections ?? connections });
  const rate = scenario.rate!;
  const started = performance.now();
  let sent = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (due: number) => {
    const { method, path: requestPath, headers, body } = scenario.next();
    const answered = new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          record(performance.now() - due, res.statusCode!);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => (errors++, resolve()));
      req.end(body);
    });
    inFlight.add(answered);
    void answered.then(() => inFlight.delete(answered));
  };
  while (!done()) {
    const now = performance.now();
    while (sent < ((now - started) / 1000) * rate) send(started + (sent++ * 1000) / rate);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { errors, timeouts: 0 };
}

async function runOnce(servers: Servers, scenario: Scenario, round: number): Promise<Run> {
  await scenario.before?.();
  const server = servers[scenario.target];
  // a rate's first seconds fill what the server keeps (answers, facet counts, rankings) all at once:
  // a short warm-up at the same rate goes first, unrecorded, so the run measures the steady state
  if (scenario.rate) {
    const warmup = performance.now();
    await paced(server.port, scenario, () => {}, () => performance.now() - warmup >= Math.min(WARMUP_SECONDS, duration) * 1000);
  }
  await server.stats(true);
  const port = server.port;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pgBefore = postgresCpuSeconds();
  const apiBefore = await server.stats();
  const meBefore = process.cpuUsage();
  const startedAt = performance.now();
  const amount = scenario.amount?.();
  // the run lasts until its last answer (autocannon says it is done on its next whole-second tick)
  let lastAnswerAt = startedAt;
  const record = (latencyMs: number, status: number) => {
    latencies.push(latencyMs);
    statuses[status] = (statuses[status] ?? 0) + 1;
    lastAnswerAt = performance.now();
  };
  // a run ends once it is long enough and has enough answers, or after MAX_SECONDS whatever it has
  // (a fixed number of checkouts that stalls is reported as it stands, not waited for)
  const done = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return (!amount && seconds >= duration && latencies.length >= minSamples) || seconds >= MAX_SECONDS;
  };
  const result = scenario.rate
    ? await paced(port, scenario, record, done)
    : await new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
        const instance = autocannon(
          {
            url: `http://127.0.0.1:${port}`,
            connections: scenario.connections ?? connections,
            ...(amount ? { amount } : { duration: MAX_SECONDS }),
            requests: [{ setupRequest: (req) => ({ ...req, ...scenario.next() }) }],
          },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          record(responseTime, statusCode);
        });
        const timer = setInterval(() => done() && (clearInterval(timer), instance.stop()), 100);
        instance.on('done', () => clearInterval(timer));
      });
  const seconds = (lastAnswerAt - startedAt) / 1000;
  const stats = await server.stats();
  const me = process.cpuUsage(meBefore);
  // every API process's memory after every run, whichever served it
  const api = scenario.target === 'api' ? stats : await servers.api.stats();
  const uncached = scenario.target === 'uncached' ? stats : await servers.uncached.stats();
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
    rssMb: Math.round(stats.rss / 2 ** 20),
    heapMb: Math.round(stats.heapUsed / 2 ** 20),
    apiRssMb: { api: Math.round(api.rss / 2 ** 20), uncached: Math.round(uncached.rss / 2 ** 20) },
    cpuCores: {
      api: cores(stats.cpu.user + stats.cpu.system - apiBefore.cpu.user - apiBefore.cpu.system),
      postgres: pgBefore === null || pgAfter === null ? null : Math.round(((pgAfter - pgBefore) / seconds) * 100) / 100,
      loadGenerator: cores(me.user + me.system),
    },
    topStatements: stats.top,
  };
  await scenario.after?.(run);
  process.stdout.write(`  [${round}] ${scenario.name}: ${run.rps} req/s, p95 ${run.p95} ms, p99 ${run.p99} ms, ${run.sqlPerRequest} SQL/req, RSS ${run.rssMb} MB (JS heap ${Math.round(stats.heapUsed / 2 ** 20)} of ${Math.round(stats.heapTotal / 2 ** 20)} MB, external ${Math.round(stats.external / 2 ** 20)} MB); API RSS ${run.apiRssMb.api} MB, cache-off API ${run.apiRssMb.uncached} MB\n`);
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
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    apiRssMb: { api: Math.max(...runs.map((r) => r.apiRssMb.api)), uncached: Math.max(...runs.map((r) => r.apiRssMb.uncached)) },
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

    const env: NodeJS.ProcessEnv = {
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
    };
    // one process each (started one after the other: each one checks the migrations)
    const servers = {} as Servers;
    for (const role of ['api', 'uncached', 'bare'] as const) {
      const server = new Server(role, env);
      stops.unshift(() => server.stop());
      await server.ready();
      servers[role] = server;
    }

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
    // words of the catalog in a fixed random order, enough that none repeats in a full bench
    const freshWords: string[] = await db('searchWords').whereRaw('length(word) >= 4').orderByRaw('md5(word)').limit(5000).pluck('word');
    let fresh = 0;
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
      { key: 'search', name: 'search: 16 words × 5 pages, answer cache off (the engine keeps a word\'s ranking and counts 30 s), at 200 req/s', target: 'uncached', rate: 200, next: () => ({ method: 'GET', path: `/products?q=${words[i % words.length]}&page=${1 + (Math.floor(i++ / words.length) % 5)}&pageSize=24` }) },
      { key: 'typo', name: 'search: 8 typos, answer cache off (kept as words are), at 100 req/s', target: 'uncached', rate: 100, next: () => ({ method: 'GET', path: `/products?q=${typos[i++ % typos.length]}&pageSize=24` }) },
      // what the engine costs when it keeps nothing useful: every query a catalog word not asked before
      { key: 'searchFresh', name: 'search: a catalog word not asked before, every time, answer cache off, at 20 req/s', target: 'uncached', rate: 20, next: () => ({ method: 'GET', path: `/products?q=${encodeURIComponent(freshWords[fresh++ % freshWords.length])}&pageSize=24` }) },
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

    const only = flags.only?.split(',');
    if (only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => only.includes(s.key)));
    const runs = new Map<Scenario, Run[]>(scenarios.map((s) => [s, []]));
    const rounds = Math.max(1, +flags.runs);
    process.stdout.write(`Running ${scenarios.length} scenarios × ${rounds} interleaved rounds (each run ≥ ${duration} s and ≥ ${minSamples} answers, ≤ ${MAX_SECONDS} s):\n`);
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of scenarios) runs.get(scenario)!.push(await runOnce(servers, scenario, round));
      if (flags['heap-snapshots']) {
        mkdirSync(flags['heap-snapshots'], { recursive: true });
        for (const role of ['api', 'uncached'] as const) {
          const file = await servers[role].snapshot(path.join(path.resolve(flags['heap-snapshots']), `${role}-round${round}.heapsnapshot`));
          process.stdout.write(`  heap snapshot: ${file}\n`);
        }
      }
    }

    const summaries = scenarios.map((s) => summarize(s, runs.get(s)!));
    // each API process's RSS after every run, in order; "after warm-up" is the end of round 1
    const inOrder = Array.from({ length: rounds }, (_, k) => scenarios.map((s) => runs.get(s)![k].apiRssMb)).flat();
    const memoryOf = (role: 'api' | 'uncached') => {
      const rss = inOrder.map((m) => m[role]);
      return { maxMb: Math.max(...rss), afterWarmupMb: rss[scenarios.length - 1], endMb: rss.at(-1)! };
    };
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
      memory: { api: memoryOf('api'), uncached: memoryOf('uncached'), postgresPssMb: postgresPssMb() },
      scenarios: summaries,
    };
    const markdown = renderReport(report);
    // a partial run (--only) is kept only where asked (--out), never among the full runs' results
    const out = only && path.resolve(flags.out) === defaultOut ? null : flags.out;
    if (out) {
      mkdirSync(path.join(out, 'history'), { recursive: true });
      writeFileSync(path.join(out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
      writeFileSync(path.join(out, 'latest.md'), markdown + '\n');
      writeFileSync(path.join(out, 'history', `${report.date.slice(0, 19).replace(/:/g, '')}-${commit.slice(0, 8)}.json`), JSON.stringify(report) + '\n');
      const history = readdirSync(path.join(out, 'history')).filter((f) => f.endsWith('.json')).sort();
      for (const old of history.slice(0, Math.max(0, history.length - HISTORY))) rmSync(path.join(out, 'history', old));
    }
    // the README's table is this report, never typed by hand (only full runs into bench/results write it)
    const readme = path.resolve(here, '../README.md');
    if (!only && out && path.resolve(out) === defaultOut && existsSync(readme)) {
      const text = readFileSync(readme, 'utf8');
      const start = '<!-- bench:start (generated by npm run bench) -->';
      const end = '<!-- bench:end -->';
      if (text.includes(start) && text.includes(end)) {
        writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + '\n' + markdown + '\n' + text.slice(text.indexOf(end)));
      }
    }
    if (summaries.some((r) => Object.keys(r.statuses).some((status) => status.startsWith('5')))) {
      const errors = Object.values(servers).flatMap((s) => s.errors);
      process.stdout.write(`\nSome requests failed with 5xx; the servers logged:\n${errors.slice(0, 20).join('\n')}\n`);
    }
    const took = `in ${Math.round((Date.now() - began) / 1000)} s`;
    process.stdout.write(`\n${markdown}\n\n${out ? `Written to ${path.join(out, 'latest.json')} and latest.md ${took}` : `A partial run (--only), not written (--out DIR keeps it), ${took}`}.\n`);
    if (hotChecks.some((h) => h.oversold)) process.exitCode = 1;
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

await main();

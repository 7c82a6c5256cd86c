import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import Koa from 'koa';
import { buildApp } from '../core-api/src/app.ts';
import { loadConfig } from '../core-api/src/config.ts';
import { createLogger } from '../core-api/src/logger.ts';
import { startPlatform, type Platform } from '../core-api/src/platform/index.ts';

/**
 * One process under load, apart from the load generator and from each other (so each one's memory
 * and CPU are its own), in the role given as the first argument:
 * - `api`: the API as configured;
 * - `uncached`: the API with the public catalog answer cache off (to measure the search engine and
 *   the reads themselves);
 * - `bare`: a bare Koa route, the baseline.
 * It counts and times the SQL statements it sends and reports them, its CPU time and its memory over IPC.
 */
const role = process.argv[2] as 'api' | 'uncached' | 'bare';
if (!['api', 'uncached', 'bare'].includes(role)) throw new Error(`unknown role ${role}`);

/** SQL statements since the last reset: count and total time by statement text. */
let statements = 0;
let timings = new Map<string, { n: number; ms: number }>();
const started = new Map<string, { sql: string; at: number }>();
function countStatements(platform: Platform): void {
  platform.db.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    statements++;
    started.set(q.__knexQueryUid, { sql: q.sql, at: performance.now() });
  });
  const finished = (_res: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid);
    if (!s) return;
    started.delete(q.__knexQueryUid);
    const key = s.sql.replace(/\s+/g, ' ').slice(0, 160);
    const t = timings.get(key) ?? { n: 0, ms: 0 };
    t.n++;
    t.ms += performance.now() - s.at;
    timings.set(key, t);
  };
  platform.db.on('query-response', finished);
  platform.db.on('query-error', (err: unknown, q: { __knexQueryUid: string }) => finished(err, q));
}

// requests the load generator gave up on still run: shutdown waits for them
let inFlight = 0;
const counted = (app: Koa) => {
  app.middleware.unshift(async (_ctx, next) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  });
  return app;
};

let app: Koa;
let platform: Platform | null = null;
if (role === 'bare') {
  app = new Koa();
  app.use((ctx) => {
    ctx.body = { ok: true };
  });
} else {
  const config = loadConfig(process.env);
  const served = role === 'api' ? config : { ...config, performance: { ...config.performance, catalogCacheBytes: 0 } };
  platform = await startPlatform(served, { log: createLogger({ logLevel: 'silent' }) });
  countStatements(platform);
  app = counted(buildApp({ config: served, platform, log: createLogger(served) }));
}
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});

process.on('message', (message: { type: string; path?: string }) => {
  if (message.type === 'reset') {
    statements = 0;
    timings = new Map();
  }
  if (message.type === 'stats') {
    const top = [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([sql, t]) => ({ sql, calls: t.n, meanMs: Math.round((t.ms / t.n) * 100) / 100, totalMs: Math.round(t.ms) }));
    const memory = process.memoryUsage();
    process.send!({ type: 'stats', statements, top, cpu: process.cpuUsage(), rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external });
  }
  // a heap snapshot, to find what grows (`--heap-snapshots DIR`)
  if (message.type === 'snapshot') process.send!({ type: 'snapshot', file: v8.writeHeapSnapshot(message.path) });
  if (message.type === 'stop') {
    void (async () => {
      await new Promise((resolve) => server.close(resolve));
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await platform?.stop();
      process.exit(0);
    })();
  }
});
process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });

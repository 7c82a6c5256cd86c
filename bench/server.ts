import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { buildApp } from '../core-api/src/app.ts';
import { loadConfig } from '../core-api/src/config.ts';
import { createLogger } from '../core-api/src/logger.ts';
import { startPlatform } from '../core-api/src/platform/index.ts';

/**
 * The API under load, in its own process (the load generator must not share its CPU), on two ports:
 * as configured, and with the public catalog answer cache off (to measure the search engine and the
 * reads themselves). Plus a bare Koa route, the baseline. It counts and times the SQL statements it
 * sends and reports them, its CPU time and its memory over IPC.
 */
const config = loadConfig(process.env);
const platform = await startPlatform(config, { log: createLogger({ logLevel: 'silent' }) });

/** SQL statements since the last reset: count and total time by statement text. */
let statements = 0;
let timings = new Map<string, { n: number; ms: number }>();
const started = new Map<string, { sql: string; at: number }>();
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

const servers: Server[] = [];
const listen = (app: Koa) =>
  new Promise<number>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    servers.push(server);
  });
const bare = new Koa();
bare.use((ctx) => {
  ctx.body = { ok: true };
});

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
const api = counted(buildApp({ config, platform, log: createLogger(config) }));
const uncached = counted(buildApp({ config: { ...config, performance: { ...config.performance, catalogCacheBytes: 0 } }, platform, log: createLogger(config) }));
const apiPort = await listen(api);
const uncachedPort = await listen(uncached);
const barePort = await listen(bare);
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    statements = 0;
    timings = new Map();
  }
  if (message.type === 'stats') {
    const top = [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([sql, t]) => ({ sql, calls: t.n, meanMs: Math.round((t.ms / t.n) * 100) / 100, totalMs: Math.round(t.ms) }));
    process.send!({ type: 'stats', statements, top, cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  }
  if (message.type === 'stop') {
    void (async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await platform.stop();
      process.exit(0);
    })();
  }
});
process.send!({ type: 'ready', apiPort, uncachedPort, barePort });

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { buildApp } from '../core-api/src/app.ts';
import { loadConfig } from '../core-api/src/config.ts';
import { createLogger } from '../core-api/src/logger.ts';
import { startPlatform } from '../core-api/src/platform/index.ts';

/**
 * The API under load, in its own process (the load generator must not share its CPU), plus a bare
 * Koa route as the baseline. Counts the SQL statements it sends; the runner asks over IPC.
 */
const config = loadConfig(process.env);
const platform = await startPlatform(config, { log: createLogger({ logLevel: 'silent' }) });
let statements = 0;
platform.db.on('query', () => void statements++);

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
const api = buildApp({ config, platform, log: createLogger(config) });
api.middleware.unshift(async (_ctx, next) => {
  inFlight++;
  try {
    await next();
  } finally {
    inFlight--;
  }
});
const apiPort = await listen(api);
const barePort = await listen(bare);
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') statements = 0;
  if (message.type === 'count') process.send!({ type: 'count', statements });
  if (message.type === 'stop') {
    void (async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await platform.stop();
      process.exit(0);
    })();
  }
});
process.send!({ type: 'ready', apiPort, barePort });

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

const apiPort = await listen(buildApp({ config, platform, log: createLogger(config) }));
const barePort = await listen(bare);
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') statements = 0;
  if (message.type === 'count') process.send!({ type: 'count', statements });
  // requests the load generator gave up on still finish before the database closes
  if (message.type === 'stop') {
    void Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
      .then(() => platform.stop())
      .then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', apiPort, barePort });

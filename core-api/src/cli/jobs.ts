import { ConfigError, loadConfig } from '../config.ts';
import { defineJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { outboxReport } from '../modules/outbox/index.ts';
import { startPlatform } from '../platform/index.ts';

const USAGE = 'Usage: npm run jobs -- list | run <name> | outbox\n';

/**
 * `npm run jobs -- list` shows the scheduled jobs; `run <name>` runs one now and waits for it;
 * `outbox` counts the outbox rows by status and lists the failed ones. In embedded mode it attaches
 * to the services of a running `npm start` on the same DATA_DIR.
 */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command !== 'list' && command !== 'outbox' && !(command === 'run' && name)) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const platform = await startPlatform(config, { log, attach: true });
  try {
    if (command === 'outbox') {
      const report = await outboxReport(platform.db);
      process.stdout.write(`outbox: ${Object.entries(report.counts).map(([status, n]) => `${n} ${status}`).join(', ') || 'empty'}\n`);
      for (const row of report.failed) {
        process.stdout.write(`failed ${row.id} ${row.topic} (written ${row.createdAt}, ${row.attempts} attempts): ${row.lastError}\n`);
      }
      return;
    }
    await defineJobs(platform, config, log);
    if (command === 'list') {
      for (const job of await platform.scheduler.list()) {
        const { name: jobName, repeatInterval, nextRunAt, lastRunAt } = job;
        process.stdout.write(`${jobName.padEnd(34)} every ${(repeatInterval ?? '-').padEnd(12)} next ${nextRunAt ? nextRunAt.toISOString() : '-'}  last ${lastRunAt ? lastRunAt.toISOString() : '-'}\n`);
      }
      return;
    }
    // run here and now, not through the job store: a running API's scheduler would take it instead
    if (!(await platform.scheduler.runHere(name))) throw new Error(`there is no job ${name}; npm run jobs -- list shows them`);
    process.stdout.write(`${name} ran.\n`);
  } finally {
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Job failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

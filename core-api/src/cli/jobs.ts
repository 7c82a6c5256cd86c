import { ConfigError, loadConfig } from '../config.ts';
import { defineJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { startPlatform } from '../platform/index.ts';

/** `npm run jobs -- list` shows the scheduled jobs; `npm run jobs -- run <name>` runs one now and waits for it. */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command !== 'list' && !(command === 'run' && name)) {
    process.stderr.write('Usage: npm run jobs -- list | run <name>\n');
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger({ logLevel: process.env.LOG_LEVEL ?? 'warn' });
  const platform = await startPlatform(config, { log });
  try {
    await defineJobs(platform, config, log);
    const { agenda } = platform.scheduler;
    if (command === 'list') {
      const { jobs } = await agenda.queryJobs({});
      for (const job of jobs) {
        const { name: jobName, repeatInterval, nextRunAt, lastRunAt } = job;
        process.stdout.write(`${jobName.padEnd(34)} every ${String(repeatInterval ?? '-').padEnd(12)} next ${nextRunAt ? new Date(nextRunAt).toISOString() : '-'}  last ${lastRunAt ? new Date(lastRunAt).toISOString() : '-'}\n`);
      }
      return;
    }
    const done = new Promise<void>((resolve, reject) => {
      agenda.once(`complete:${name}`, () => resolve());
      agenda.once(`fail:${name}`, (err: unknown) => reject(err));
    });
    await platform.scheduler.start();
    await agenda.now(name);
    await done;
    process.stdout.write(`${name} ran.\n`);
  } finally {
    await platform.stop();
  }
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Job failed: ${err?.message ?? err}\n`);
  process.exit(1);
});

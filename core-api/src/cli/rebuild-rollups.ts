import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { rebuildSalesRollups } from '../modules/analytics/index.ts';
import { startPlatform } from '../platform/index.ts';

/** `npm run rebuild-rollups`: recomputes the seller analytics rollups and products' sold counts from the orders (writers wait meanwhile). */
async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await startPlatform(config, { log: createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }) });
  try {
    const started = Date.now();
    await rebuildSalesRollups(platform.db);
    process.stdout.write(`Sales rollups rebuilt in ${Date.now() - started} ms.\n`);
  } finally {
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { rebuildSearchIndex } from '../modules/catalog/index.ts';
import { startPlatform } from '../platform/index.ts';

/** `npm run reindex`: rebuilds the product search index from Postgres, the source of truth. */
async function main(): Promise<void> {
  const config = loadConfig();
  // the progress bar is the output: info lines would break it
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const platform = await startPlatform(config, { log });
  const bar = new SingleBar({ format: `Reindexing (${platform.search.kind}) [{bar}] {value}/{total} products`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    await rebuildSearchIndex(platform.db, platform.search, (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
    await platform.stop();
  }
  process.stdout.write('Search index rebuilt.\n');
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Reindex failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

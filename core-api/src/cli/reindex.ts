import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startPlatform } from '../platform/index.ts';

/** `npm run reindex`: rebuilds the product search index from Postgres, the source of truth. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ logLevel: config.toolLogLevel });
  const platform = await startPlatform(config, { log });
  const bar = new SingleBar({ format: `Reindexing (${platform.search.kind}) [{bar}] {value}/{total} products`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    await platform.search.rebuild((done, total) => {
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

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Reindex failed: ${err?.message ?? err}\n`);
  process.exit(1);
});

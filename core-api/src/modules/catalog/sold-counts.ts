import type { Knex } from 'knex';
import type { Scheduler } from '../../platform/jobs/scheduler.ts';

export const FOLD_SOLD_COUNTS = 'catalog.fold-sold-counts';

/**
 * Adds the units sold (or taken back by cancellations) since the last fold to the products' sold
 * counts. A sale appends its units in its own transaction (the sales rollups' triggers); the
 * products row is written here, once per product per fold, not once per sale (migration
 * 20261126150001 says why). Returns how many products moved.
 */
export async function foldSoldCounts(db: Knex): Promise<number> {
  const { rows } = await db.raw<{ rows: Array<{ moved: number }> }>('select pasar_fold_sold_counts() as moved');
  return rows[0].moved;
}

/** Sold counts (shown on cards, and the "terlaris" order) follow sales within about 10 seconds. */
export async function scheduleSoldCountFold(scheduler: Scheduler, db: Knex): Promise<void> {
  scheduler.define(FOLD_SOLD_COUNTS, async () => {
    await foldSoldCounts(db);
  });
  await scheduler.every('10 seconds', FOLD_SOLD_COUNTS);
}

import type { Knex } from 'knex';

/** /health counts failed rows and the purge deletes old done ones: both by partial indexes, whatever the outbox's size. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index outbox_failed on outbox (created_at) where status = 'failed'`);
  await knex.raw(`create index outbox_done on outbox (processed_at) where status = 'done'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists outbox_done');
  await knex.raw('drop index if exists outbox_failed');
}

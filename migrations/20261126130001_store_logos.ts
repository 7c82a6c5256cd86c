import type { Knex } from 'knex';

/** A store's logo: a content-addressed object (`media/<sha256>.jpg`), null until the seller uploads one. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stores', (t) => {
    t.text('logo_key');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stores', (t) => {
    t.dropColumn('logo_key');
  });
}

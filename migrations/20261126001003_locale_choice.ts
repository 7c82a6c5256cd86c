import type { Knex } from 'knex';

/**
 * Whether the user chose their language (at registration or later) rather than getting the default:
 * a chosen language wins over the browser's Accept-Language.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('locale_chosen').notNullable().defaultTo(false);
  });
  // before this, only a language other than the default can be known to be chosen
  await knex('users').whereNot({ locale: 'id' }).update({ locale_chosen: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropColumn('locale_chosen'));
}

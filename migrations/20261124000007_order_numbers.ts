import type { Knex } from 'knex';

/** Order numbers come from a sequence (scrambled for display), so two orders can never draw the same one. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence order_number_seq');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop sequence if exists order_number_seq');
}

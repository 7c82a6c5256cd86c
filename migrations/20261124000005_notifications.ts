import type { Knex } from 'knex';

/** One weekly report per store and week: the job that writes it can run anywhere, any number of times. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('weekly_reports', (t) => {
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.date('week_start').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['store_id', 'week_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('weekly_reports');
}

import type { Knex } from 'knex';

/** A shopper's saved addresses; at most one default per user (the service keeps exactly one). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('addresses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('label').notNullable().defaultTo('');
    t.text('recipient').notNullable();
    t.text('phone').notNullable();
    t.text('street').notNullable();
    t.text('city_code').notNullable().references('regions.code');
    t.text('postal_code').notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.timestamps(true, true);
    t.index(['user_id', 'created_at']);
  });
  await knex.raw('create unique index addresses_one_default on addresses (user_id) where is_default');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('addresses');
}

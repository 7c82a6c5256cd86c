import type { Knex } from 'knex';

/**
 * Two indexes repeated others: orders (store_id, placed_at) and order_items (order_id) are the
 * leading columns of the covering indexes `orders_store_placed_covering` and
 * `order_items_order_covering`, which serve every query the plain ones served. Each checkout wrote
 * both; now it writes one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists orders_store_id_placed_at_index');
  await knex.raw('drop index if exists order_items_order_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists orders_store_id_placed_at_index on orders (store_id, placed_at)');
  await knex.raw('create index if not exists order_items_order_id_index on order_items (order_id)');
}

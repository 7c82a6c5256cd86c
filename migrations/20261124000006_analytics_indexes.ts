import type { Knex } from 'knex';

/** Sales figures read orders by store and time, and their items by order: both served from the index alone. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index orders_store_placed_covering on orders (store_id, placed_at) include (status, subtotal)');
  await knex.raw('create index order_items_order_covering on order_items (order_id) include (product_id, quantity, line_total)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists order_items_order_covering');
  await knex.raw('drop index if exists orders_store_placed_covering');
}

import type { Knex } from 'knex';

const id = (knex: Knex, t: Knex.CreateTableBuilder) => t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
const ORDER_STATUSES = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('carts', (t) => {
    id(knex, t);
    t.uuid('user_id').notNullable().unique().references('users.id').onDelete('CASCADE');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('cart_items', (t) => {
    id(knex, t);
    t.uuid('cart_id').notNullable().references('carts.id').onDelete('CASCADE');
    t.uuid('variant_id').notNullable().references('product_variants.id').onDelete('CASCADE').index();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_at_add').notNullable();
    t.timestamps(true, true);
    t.unique(['cart_id', 'variant_id']);
  });
  await knex.raw('alter table cart_items add constraint cart_items_quantity_check check (quantity > 0)');

  await knex.schema.createTable('checkouts', (t) => {
    id(knex, t);
    t.uuid('user_id').notNullable().references('users.id').onDelete('RESTRICT');
    t.text('idempotency_key').notNullable();
    t.text('request_hash').notNullable();
    // claimed first (processing) in the checkout's own transaction, so a concurrent request with the same key waits for it
    t.text('status').notNullable().defaultTo('processing').checkIn(['processing', 'completed'], 'checkouts_status_check');
    t.text('payment_method').notNullable().checkIn(['ovo', 'dana', 'bca_va', 'cod'], 'checkouts_payment_method_check');
    t.text('payment_status').checkIn(['pending', 'paid'], 'checkouts_payment_status_check');
    t.jsonb('payment').notNullable().defaultTo('{}');
    t.bigInteger('total').notNullable().defaultTo(0);
    // the first answer, replayed for a repeat with the same key and body
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index();
    t.unique(['user_id', 'idempotency_key']);
  });
  await knex.raw('alter table checkouts add constraint checkouts_total_check check (total >= 0)');

  await knex.schema.createTable('orders', (t) => {
    id(knex, t);
    t.uuid('checkout_id').notNullable().references('checkouts.id').onDelete('RESTRICT').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('RESTRICT');
    t.uuid('user_id').notNullable().references('users.id').onDelete('RESTRICT');
    t.text('number').notNullable().unique();
    t.text('status').notNullable().defaultTo('pending').checkIn(ORDER_STATUSES, 'orders_status_check');
    t.bigInteger('subtotal').notNullable();
    t.bigInteger('shipping_cost').notNullable();
    t.bigInteger('total').notNullable();
    t.jsonb('shipping_address').notNullable();
    t.text('tracking_number');
    t.text('cancel_reason');
    t.timestamp('placed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['store_id', 'placed_at']);
    t.index(['store_id', 'status']);
    t.index(['user_id', 'placed_at']);
  });
  await knex.raw('alter table orders add constraint orders_money_check check (subtotal >= 0 and shipping_cost >= 0 and total = subtotal + shipping_cost)');

  await knex.schema.createTable('order_items', (t) => {
    id(knex, t);
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE').index();
    t.uuid('variant_id').notNullable().references('product_variants.id').onDelete('RESTRICT').index();
    t.uuid('product_id').notNullable().references('products.id').onDelete('RESTRICT').index();
    t.text('title').notNullable();
    t.jsonb('options').notNullable().defaultTo('{}');
    t.text('sku').notNullable();
    t.bigInteger('unit_price').notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('line_total').notNullable();
  });
  await knex.raw('alter table order_items add constraint order_items_quantity_check check (quantity > 0)');
  await knex.raw('alter table order_items add constraint order_items_total_check check (unit_price >= 0 and line_total = unit_price * quantity)');

  await knex.schema.createTable('order_events', (t) => {
    id(knex, t);
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.text('from_status').checkIn(ORDER_STATUSES, 'order_events_from_check');
    t.text('to_status').notNullable().checkIn(ORDER_STATUSES, 'order_events_to_check');
    t.uuid('actor_id').references('users.id').onDelete('SET NULL');
    t.text('actor_role').notNullable().checkIn(['customer', 'seller', 'system'], 'order_events_actor_check');
    t.text('note');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['order_id', 'created_at']);
  });

  await knex.schema.createTable('reviews', (t) => {
    id(knex, t);
    t.uuid('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('order_id').notNullable().references('orders.id').onDelete('RESTRICT');
    t.smallint('rating').notNullable();
    t.text('comment').notNullable().defaultTo('');
    t.timestamps(true, true);
    t.unique(['product_id', 'user_id']);
    t.index(['product_id', 'created_at']);
  });
  await knex.raw('alter table reviews add constraint reviews_rating_check check (rating between 1 and 5)');

  // written in the same transaction as the change that caused it; delivered by a job
  await knex.schema.createTable('outbox', (t) => {
    id(knex, t);
    t.text('topic').notNullable();
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'done', 'failed'], 'outbox_status_check');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('available_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('locked_until', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
  });
  await knex.raw(`create index outbox_pending on outbox (available_at) where status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['outbox', 'reviews', 'order_events', 'order_items', 'orders', 'checkouts', 'cart_items', 'carts']) {
    await knex.schema.dropTableIfExists(table);
  }
}

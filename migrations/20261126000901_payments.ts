import type { Knex } from 'knex';

const METHODS = ['ovo', 'dana', 'bca_va', 'cod'];
const PAYMENT_STATUSES = ['pending', 'paid', 'expired', 'failed', 'refunded', 'partially_refunded'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * A payment per checkout with its lifecycle, the gateway's notifications (deduplicated by their id),
 * refunds per order, and each order's own payment status. The simulated gateway keeps its side
 * (charges and refunds, as a real provider would) in tables of its own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('checkout_id').notNullable().unique().references('checkouts.id').onDelete('RESTRICT');
    t.text('method').notNullable().checkIn(METHODS, 'payments_method_check');
    t.bigInteger('amount').notNullable();
    t.text('status').notNullable().defaultTo('pending').checkIn(PAYMENT_STATUSES, 'payments_status_check');
    t.bigInteger('refunded_amount').notNullable().defaultTo(0);
    t.text('reference');
    t.text('virtual_account').unique();
    t.timestamp('expires_at', { useTz: true });
    t.text('locale').notNullable().defaultTo('id');
    t.timestamp('paid_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw('alter table payments add constraint payments_amounts_check check (amount >= 0 and refunded_amount between 0 and amount)');
  await knex.raw(`create index payments_pending_expiry on payments (expires_at) where status = 'pending' and expires_at is not null`);

  await knex.schema.createTable('payment_events', (t) => {
    t.text('id').primary(); // the provider's event id: a replay inserts nothing
    t.uuid('payment_id').references('payments.id').onDelete('CASCADE');
    t.text('type').notNullable();
    t.jsonb('payload').notNullable();
    t.text('outcome').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('refunds', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('payment_id').notNullable().references('payments.id').onDelete('RESTRICT');
    t.uuid('order_id').notNullable().unique().references('orders.id').onDelete('RESTRICT');
    t.bigInteger('amount').notNullable();
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'done'], 'refunds_status_check');
    t.text('reference');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('done_at', { useTz: true });
  });
  await knex.raw(`create index refunds_pending on refunds (created_at) where status = 'pending'`);

  await knex.raw('alter table checkouts drop constraint checkouts_payment_status_check');
  await knex.raw(`alter table checkouts add constraint checkouts_payment_status_check check (payment_status in (${list(PAYMENT_STATUSES)}))`);

  await knex.schema.alterTable('orders', (t) => {
    t.text('payment_status').notNullable().defaultTo('pending').checkIn(PAYMENT_STATUSES, 'orders_payment_status_check');
    t.index(['user_id', 'payment_status']);
    t.index(['store_id', 'payment_status']);
  });

  // what earlier checkouts knew about their payment
  await knex.raw(`update orders o set payment_status = c.payment_status from checkouts c where c.id = o.checkout_id and c.payment_status is not null`);
  await knex.raw(`
    insert into payments (checkout_id, method, amount, status, reference, virtual_account, expires_at, created_at)
    select id, payment_method, total, coalesce(payment_status, 'pending'), payment->>'reference', payment->>'virtualAccount',
           cast(payment->>'expiresAt' as timestamptz), created_at
    from checkouts where status = 'completed'`);

  await knex.schema.createTable('sim_gateway_charges', (t) => {
    t.text('idempotency_key').primary();
    t.text('reference').notNullable().unique();
    t.text('method').notNullable();
    t.bigInteger('amount').notNullable();
    t.text('status').notNullable();
    t.text('virtual_account').unique();
    t.timestamp('expires_at', { useTz: true });
    t.bigInteger('refunded').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('sim_gateway_refunds', (t) => {
    t.text('id').primary();
    t.text('charge_key').notNullable().references('sim_gateway_charges.idempotency_key');
    t.bigInteger('amount').notNullable();
    t.text('reference').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sim_gateway_refunds', 'sim_gateway_charges', 'refunds', 'payment_events', 'payments']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('orders', (t) => t.dropColumn('payment_status'));
}

import type { Knex } from 'knex';

/**
 * `checkouts.payment` and `checkouts.payment_status` were the payment's first home. Since
 * 20261126000901 the `payments` table holds the payment and every later state (refunds, expiry),
 * and nothing read these copies any more: the checkout kept writing a status that went stale as
 * soon as the payment moved. They are dropped; the down migration puts them back, filled from the
 * payments.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkouts', (t) => {
    t.dropColumn('payment');
    t.dropColumn('payment_status');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkouts', (t) => {
    t.jsonb('payment').notNullable().defaultTo('{}');
    t.text('payment_status');
  });
  await knex.raw(`
    update checkouts c set payment_status = p.status,
      payment = jsonb_strip_nulls(jsonb_build_object('reference', p.reference, 'virtualAccount', p.virtual_account, 'expiresAt', p.expires_at))
    from payments p where p.checkout_id = c.id`);
  await knex.raw(`alter table checkouts add constraint checkouts_payment_status_check check (payment_status in ('pending', 'paid', 'expired', 'failed', 'refunded', 'partially_refunded'))`);
}

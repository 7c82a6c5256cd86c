import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { PREPARED } from '../../platform/db/prepared.ts';
import { Checkout } from './models/checkout.ts';

type PaymentMethod = components['schemas']['PaymentMethod'];

/** A key already used: the checkout that holds it and the hash of the body it was used with. */
export interface ClaimedBefore {
  id: string;
  requestHash: string;
}

/**
 * Claims a shopper's idempotency key for a new checkout (`processing`): its id, or the checkout
 * that holds the key already. Inserting waits for an in-flight transaction holding the same key.
 */
export async function claimCheckout(
  trx: Knex,
  claim: { userId: string; idempotencyKey: string; requestHash: string; paymentMethod: PaymentMethod },
): Promise<{ id: string } | { before: ClaimedBefore }> {
  const claimed = await trx.raw<{ rows: Array<{ id: string }> }>(
    `insert into checkouts (user_id, idempotency_key, request_hash, payment_method) values (?, ?, ?, ?)
     on conflict (user_id, idempotency_key) do nothing returning id`,
    [claim.userId, claim.idempotencyKey, claim.requestHash, claim.paymentMethod],
  ).options(PREPARED('checkout-claim'));
  if (claimed.rows.length > 0) return { id: claimed.rows[0].id };
  const first = await Checkout.query(trx).findOne({ userId: claim.userId, idempotencyKey: claim.idempotencyKey }).select('id', 'requestHash').throwIfNotFound();
  return { before: { id: first.id, requestHash: first.requestHash } };
}

/** What a checkout answered, once it has (`completed`): for replays of its key. */
export async function checkoutAnswer(db: Knex, checkoutId: string): Promise<Pick<Checkout, 'status' | 'responseStatus' | 'responseBody'>> {
  return Checkout.query(db).findById(checkoutId).select('status', 'responseStatus', 'responseBody').throwIfNotFound();
}

/** The checkout row, locked: whoever holds it records the checkout's outcome (once). */
export async function lockCheckout(trx: Knex, checkoutId: string): Promise<Checkout> {
  return Checkout.query(trx).findById(checkoutId).forUpdate().throwIfNotFound();
}

/** The shopper's own checkout (one whose payment was created), or undefined. */
export async function findOwnCheckout(db: Knex, userId: string, checkoutId: string): Promise<Checkout | undefined> {
  return Checkout.query(db)
    .findOne({ id: checkoutId, userId })
    .whereExists((q) => q.select(1).from('payments').whereRaw('payments.checkout_id = checkouts.id'));
}

export async function findCheckout(db: Knex, checkoutId: string): Promise<Checkout> {
  return Checkout.query(db).findById(checkoutId).throwIfNotFound();
}

/** The checkout's outcome, kept to answer replays of its key; false (nothing written) when it has one already. */
export async function completeCheckout(
  trx: Knex,
  checkoutId: string,
  outcome: { responseStatus: number; responseBody: unknown },
): Promise<boolean> {
  const changed = await Checkout.query(trx)
    .onBuildKnex((q) => q.options(PREPARED('checkout-complete')))
    .patch({ status: 'completed', responseStatus: outcome.responseStatus, responseBody: outcome.responseBody })
    .where({ id: checkoutId })
    .whereNot({ status: 'completed' });
  return changed === 1;
}

/** Checkouts left between their steps (a crash, a gateway that did not answer) for longer than `olderThanSeconds`, oldest first. */
export async function stuckCheckouts(db: Knex, olderThanSeconds: number, limit = 100): Promise<string[]> {
  const rows = await Checkout.query(db)
    .where({ status: 'processing' })
    .where('createdAt', '<', db.raw(`now() - make_interval(secs => ?)`, [olderThanSeconds]))
    .whereExists((q) => q.select(1).from('payments').whereRaw('payments.checkout_id = checkouts.id'))
    .orderBy('createdAt')
    .limit(limit)
    .select('id');
  return rows.map((r) => r.id);
}

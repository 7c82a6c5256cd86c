import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../http/handler.ts';
import { ProblemError, notFound } from '../../http/problem.ts';
import { InvalidSignature, type ChargeResult, type GatewayEvent, type PaymentGateway } from '../../platform/payments/gateway.ts';
import { cancelOrders, loadOrders, setOrderPaymentStatus, setOrdersPaymentStatus, type PaymentHooks } from '../orders/index.ts';
import { paymentInstructions, type Locale } from './instructions.ts';

type Schemas = components['schemas'];
export type PaymentStatus = Schemas['PaymentStatus'];
type PaymentJson = Schemas['Payment'];

export interface PaymentRow {
  id: string;
  checkoutId: string;
  method: Schemas['PaymentMethod'];
  amount: number;
  status: PaymentStatus;
  refundedAmount: number;
  reference: string | null;
  virtualAccount: string | null;
  expiresAt: Date | null;
  locale: Locale;
}

export function paymentJson(p: PaymentRow): PaymentJson {
  return {
    status: p.status,
    method: p.method,
    amount: Number(p.amount),
    refundedAmount: Number(p.refundedAmount),
    ...(p.reference ? { reference: p.reference } : {}),
    ...(p.virtualAccount ? { virtualAccount: p.virtualAccount } : {}),
    ...(p.expiresAt ? { expiresAt: p.expiresAt.toISOString() } : {}),
    instructions: paymentInstructions(p.locale, { ...p, amount: Number(p.amount), refundedAmount: Number(p.refundedAmount) }),
  };
}

/** The payment of a new checkout, before the gateway is asked. */
export async function createPayment(trx: Knex, p: { checkoutId: string; method: Schemas['PaymentMethod']; amount: number; locale: Locale }): Promise<void> {
  await trx('payments').insert(p);
}

/** Records what the gateway answered for a checkout's charge (paid or pending). */
export async function recordCharge(trx: Knex, checkoutId: string, result: ChargeResult): Promise<void> {
  const status: PaymentStatus = result.status === 'paid' ? 'paid' : 'pending';
  await trx('payments')
    .where({ checkoutId })
    .update({
      status,
      reference: result.reference,
      virtualAccount: result.virtualAccount ?? null,
      expiresAt: result.expiresAt ? new Date(result.expiresAt) : null,
      ...(status === 'paid' ? { paidAt: trx.fn.now() } : {}),
      updatedAt: trx.fn.now(),
    });
  await setOrdersPaymentStatus(trx, checkoutId, status);
}

/** The charge failed: nothing was taken. */
export async function recordFailure(trx: Knex, checkoutId: string): Promise<void> {
  await trx('payments').where({ checkoutId }).update({ status: 'failed', updatedAt: trx.fn.now() });
  await setOrdersPaymentStatus(trx, checkoutId, 'failed');
}

/** A checkout as POST /checkout answers it, read fresh: its payment and its orders. */
export async function loadCheckout(db: Knex, checkoutId: string): Promise<Schemas['CheckoutResult']> {
  const checkout = await db('checkouts').where({ id: checkoutId }).first();
  const payment: PaymentRow = await db('payments').where({ checkoutId }).first();
  const ids: string[] = await db('orders').where({ checkoutId }).pluck('id');
  return {
    checkout: { id: checkout.id, total: Number(checkout.total), paymentMethod: payment.method, paymentStatus: payment.status, payment: paymentJson(payment) },
    orders: (await loadOrders(db, ids)).sort((a, b) => a.store.name.localeCompare(b.store.name)),
  };
}

export class PaymentsService {
  private readonly db: Knex;
  private readonly gateway: PaymentGateway;
  private readonly log: Logger;

  constructor(db: Knex, gateway: PaymentGateway, log: Logger) {
    this.db = db;
    this.gateway = gateway;
    this.log = log;
  }

  /** The shopper's own checkout; another shopper's is a 404. */
  async getCheckout(caller: AuthUser, checkoutId: string) {
    const own = await this.db('checkouts').where({ id: checkoutId, userId: caller.id }).whereExists((q) => q.select(1).from('payments').whereRaw('payments.checkout_id = checkouts.id')).first('id');
    if (!own) throw notFound('checkout');
    return loadCheckout(this.db, checkoutId);
  }

  /**
   * A verified gateway notification. Each event id counts once (a replay changes nothing); the
   * payment row is locked, so a notification racing the expiry job yields exactly one outcome.
   */
  async notify(rawBody: string, signature: string | undefined): Promise<{ changed: boolean; status: PaymentStatus }> {
    let event: GatewayEvent;
    try {
      event = await this.gateway.verifyWebhook(rawBody, signature);
    } catch (err) {
      if (err instanceof InvalidSignature) throw new ProblemError(401, err.message, { type: 'invalid-signature', errors: [{ header: 'X-Pasar-Signature', message: err.message }] });
      throw err;
    }
    const outcome: { changed: boolean; status: PaymentStatus; refunds: string[] } = await this.db.transaction(async (trx) => {
      const payment: PaymentRow | undefined = await trx('payments')
        .modify((q) => (event.virtualAccount ? q.where({ virtualAccount: event.virtualAccount }) : q.where({ reference: event.reference ?? '' })))
        .forUpdate()
        .first();
      if (!payment) throw notFound(event.virtualAccount ? `virtual account ${event.virtualAccount}` : 'payment with that reference');
      const fresh = await trx('paymentEvents')
        .insert({ id: event.id, paymentId: payment.id, type: event.type, payload: JSON.stringify(event), outcome: payment.status === 'pending' ? 'paid' : `ignored: ${payment.status}` })
        .onConflict('id')
        .ignore()
        .returning('id');
      if (fresh.length === 0) return { changed: false, status: payment.status, refunds: [] };
      if (payment.status !== 'pending') {
        // it expired (or failed) first: the money will have to go back; say so loudly
        this.log.warn({ paymentId: payment.id, status: payment.status, eventId: event.id }, 'payment notification for a payment no longer pending');
        return { changed: false, status: payment.status, refunds: [] };
      }
      if (event.amount !== undefined && event.amount !== Number(payment.amount)) {
        this.log.warn({ paymentId: payment.id, amount: event.amount, expected: payment.amount }, 'payment notification with another amount');
        return { changed: false, status: payment.status, refunds: [] };
      }
      await trx('payments').where({ id: payment.id }).update({ status: 'paid', paidAt: trx.fn.now(), updatedAt: trx.fn.now() });
      await setOrdersPaymentStatus(trx, payment.checkoutId, 'paid');
      // orders the shopper cancelled before paying were paid for all the same: their share goes back
      const cancelled: Array<{ id: string; total: number }> = await trx('orders').where({ checkoutId: payment.checkoutId, status: 'cancelled' }).select('id', 'total');
      const refunds: string[] = [];
      for (const o of cancelled) refunds.push(await recordRefund(trx, payment.id, o.id, Number(o.total)));
      return { changed: true, status: 'paid', refunds };
    });
    for (const refundId of outcome.refunds) {
      // recorded above; if the gateway does not answer now, payments.reconcile sends it later
      await sendRefund(this.db, this.gateway, refundId).catch((err) => this.log.warn({ err, refundId }, 'refund not sent yet'));
    }
    return { changed: outcome.changed, status: outcome.status };
  }

  /**
   * Virtual accounts unpaid past their expiry: the payment expires, its orders are cancelled with
   * "payment expired", their stock goes back (once: the payment row is locked and re-checked), and
   * the shopper is emailed. Returns how many payments expired.
   */
  async expireDue(now = new Date()): Promise<number> {
    const due: string[] = await this.db('payments').where({ status: 'pending' }).where('expiresAt', '<=', now).orderBy('expiresAt').limit(500).pluck('id');
    let expired = 0;
    for (const id of due) {
      const done = await this.db.transaction(async (trx) => {
        const payment: PaymentRow | undefined = await trx('payments').where({ id, status: 'pending' }).where('expiresAt', '<=', now).forUpdate().first();
        if (!payment) return false;
        await trx('payments').where({ id }).update({ status: 'expired', updatedAt: trx.fn.now() });
        const orderIds: string[] = await trx('orders').where({ checkoutId: payment.checkoutId, status: 'pending' }).orderBy('id').pluck('id');
        await setOrdersPaymentStatus(trx, payment.checkoutId, 'expired');
        await cancelOrders(trx, orderIds, { reason: 'payment expired', actorId: null, actorRole: 'system', notify: true });
        return true;
      });
      if (done) expired++;
    }
    return expired;
  }

  /** Sends every recorded refund the gateway has not confirmed yet (the gateway dedupes by refund id). */
  async sendPendingRefunds(): Promise<number> {
    const pending: Array<{ id: string }> = await this.db('refunds').where({ status: 'pending' }).orderBy('createdAt').limit(200).select('id');
    let sent = 0;
    for (const { id } of pending) {
      try {
        await sendRefund(this.db, this.gateway, id);
        sent++;
      } catch (err) {
        this.log.warn({ err, refundId: id }, 'refund not sent yet');
      }
    }
    return sent;
  }
}

async function recordRefund(trx: Knex, paymentId: string, orderId: string, amount: number): Promise<string> {
  const [row] = await trx('refunds').insert({ paymentId, orderId, amount }).returning('id');
  return row.id;
}

/** How the order process reaches the payment (see OrdersService). */
export function paymentHooks(db: Knex, gateway: PaymentGateway): PaymentHooks {
  return {
    recordRefund,
    // the checkout is paid once none of its orders still waits for the courier's cash
    cashCollected: async (trx, paymentId, checkoutId) => {
      const waiting = await trx('orders').where({ checkoutId }).whereNotIn('status', ['delivered', 'cancelled']).first('id');
      if (!waiting) await trx('payments').where({ id: paymentId }).update({ status: 'paid', paidAt: trx.fn.now(), updatedAt: trx.fn.now() });
    },
    sendRefund: (refundId) => sendRefund(db, gateway, refundId),
  };
}

/**
 * Sends one refund through the gateway (idempotent by its id) and records it: the payment's
 * refunded amount and status (refunded when all of it went back, otherwise partially_refunded).
 */
export async function sendRefund(db: Knex, gateway: PaymentGateway, refundId: string): Promise<void> {
  const refund = await db('refunds as r').join('payments as p', 'p.id', 'r.paymentId').where('r.id', refundId).first('r.*', 'p.checkoutId');
  if (!refund || refund.status === 'done') return;
  const { reference } = await gateway.refund({ key: refund.checkoutId, refundId, amount: Number(refund.amount) });
  await db.transaction(async (trx) => {
    const marked = await trx('refunds').where({ id: refundId, status: 'pending' }).update({ status: 'done', reference, doneAt: trx.fn.now() });
    if (!marked) return;
    await trx('payments')
      .where({ id: refund.paymentId })
      .update({
        refundedAmount: trx.raw('refunded_amount + ?', [refund.amount]),
        status: trx.raw(`case when refunded_amount + ? >= amount then 'refunded' else 'partially_refunded' end`, [refund.amount]),
        updatedAt: trx.fn.now(),
      });
    await setOrderPaymentStatus(trx, refund.orderId, 'refunded');
  });
}

import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { DomainError, notFound } from '../../domain/errors.ts';
import { PREPARED } from '../../platform/db/prepared.ts';
import { InvalidSignature, type ChargeResult, type GatewayEvent, type PaymentGateway } from '../../platform/payments/gateway.ts';
import {
  awaitsDelivery, cancelOrders, findCheckout, findOwnCheckout, loadOrders, ordersOfCheckout, setOrderPaymentStatus, setOrdersPaymentStatus, type PaymentHooks,
} from '../orders/index.ts';
import { enqueue } from '../outbox/index.ts';
import { paymentInstructions, type Locale } from './instructions.ts';
import { Payment } from './models/payment.ts';
import { PaymentEvent } from './models/payment-event.ts';
import { Refund } from './models/refund.ts';

type Schemas = components['schemas'];
export type PaymentStatus = Schemas['PaymentStatus'];
type PaymentJson = Schemas['Payment'];

/** What a payment's answer is made of. */
export type PaymentRow = Pick<Payment, 'method' | 'amount' | 'status' | 'refundedAmount' | 'reference' | 'virtualAccount' | 'expiresAt' | 'locale'>;

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

/**
 * A checkout's payment, locked for the caller's transaction. Every path locks the payment before
 * the orders (webhook, expiry, refunds, order moves, compensation), so none deadlock.
 */
export async function lockPayment(trx: Knex, checkoutId: string): Promise<Payment | undefined> {
  return Payment.query(trx).findOne({ checkoutId }).forUpdate();
}

/** The payment of a new checkout, before the gateway is asked. */
export async function createPayment(trx: Knex, p: { checkoutId: string; method: Schemas['PaymentMethod']; amount: number; locale: Locale }): Promise<void> {
  await Payment.query(trx).onBuildKnex((q) => q.options(PREPARED('payment-create'))).insert(p);
}

/** Records what the gateway answered for a checkout's charge (paid or pending); returns the payment as recorded. */
export async function recordCharge(trx: Knex, checkoutId: string, result: ChargeResult): Promise<Payment> {
  const status: PaymentStatus = result.status === 'paid' ? 'paid' : 'pending';
  const [payment] = await Payment.query(trx)
    .onBuildKnex((q) => q.options(PREPARED(status === 'paid' ? 'payment-charge-paid' : 'payment-charge-pending')))
    .where({ checkoutId })
    .patch({
      status,
      reference: result.reference,
      virtualAccount: result.virtualAccount ?? null,
      expiresAt: result.expiresAt ? new Date(result.expiresAt) : null,
      ...(status === 'paid' ? { paidAt: trx.fn.now() } : {}),
      updatedAt: trx.fn.now(),
    })
    .returning('*');
  // orders are placed pending: only a paid charge changes theirs
  if (status !== 'pending') await setOrdersPaymentStatus(trx, checkoutId, status);
  return payment;
}

/** The charge failed: nothing was taken. */
export async function recordFailure(trx: Knex, checkoutId: string): Promise<void> {
  await Payment.query(trx).where({ checkoutId }).patch({ status: 'failed', updatedAt: trx.fn.now() });
  await setOrdersPaymentStatus(trx, checkoutId, 'failed');
}

/** A checkout as POST /checkout answers it, read fresh: its payment and its orders. */
export async function loadCheckout(db: Knex, checkoutId: string): Promise<Schemas['CheckoutResult']> {
  const checkout = await findCheckout(db, checkoutId);
  const payment = await Payment.query(db).findOne({ checkoutId }).throwIfNotFound();
  const orders = await loadOrders(db, (await ordersOfCheckout(db, checkoutId)).map((o) => o.id));
  return checkoutResult(checkout, payment, orders);
}

/** The answer for a checkout, from its payment and its orders as they are. */
export function checkoutResult(checkout: { id: string; total: number }, payment: PaymentRow, orders: Schemas['Order'][]): Schemas['CheckoutResult'] {
  return {
    checkout: { id: checkout.id, total: Number(checkout.total), paymentMethod: payment.method, paymentStatus: payment.status, payment: paymentJson(payment) },
    orders: [...orders].sort((a, b) => a.store.name.localeCompare(b.store.name)),
  };
}

async function recordRefund(trx: Knex, paymentId: string, orderId: string, amount: number): Promise<string> {
  const refund = await Refund.query(trx).insert({ paymentId, orderId, amount }).returning('id');
  return refund.id;
}

/**
 * Sends one refund through the gateway (idempotent by its id) and records it: the payment's
 * refunded amount and status (refunded when all of it went back, otherwise partially_refunded).
 */
export async function sendRefund(db: Knex, gateway: PaymentGateway, refundId: string): Promise<void> {
  const refund = await db('refunds as r')
    .join('payments as p', 'p.id', 'r.paymentId')
    .where('r.id', refundId)
    .first<(Pick<Refund, 'paymentId' | 'orderId' | 'amount' | 'status'> & Pick<Payment, 'checkoutId'>) | undefined>('r.paymentId', 'r.orderId', 'r.amount', 'r.status', 'p.checkoutId');
  if (!refund || refund.status === 'done') return;
  const { reference } = await gateway.refund({ key: refund.checkoutId, refundId, amount: refund.amount });
  await db.transaction(async (trx) => {
    const marked = await Refund.query(trx).where({ id: refundId, status: 'pending' }).patch({ status: 'done', reference, doneAt: trx.fn.now() });
    if (!marked) return;
    await Payment.query(trx)
      .findById(refund.paymentId)
      .patch({
        refundedAmount: trx.raw('refunded_amount + ?', [refund.amount]),
        status: trx.raw(`case when refunded_amount + ? >= amount then 'refunded' else 'partially_refunded' end`, [refund.amount]),
        updatedAt: trx.fn.now(),
      });
    await setOrderPaymentStatus(trx, refund.orderId, 'refunded');
  });
}

/** How the order process reaches the payment (see OrdersService). */
export function paymentHooks(db: Knex, gateway: PaymentGateway): PaymentHooks {
  return {
    lockPayment,
    recordRefund,
    // the checkout is paid once none of its orders still waits for the courier's cash
    cashCollected: async (trx, paymentId, checkoutId) => {
      if (!(await awaitsDelivery(trx, checkoutId))) await Payment.query(trx).findById(paymentId).patch({ status: 'paid', paidAt: trx.fn.now(), updatedAt: trx.fn.now() });
    },
    sendRefund: (refundId) => sendRefund(db, gateway, refundId),
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
  async getCheckout(caller: AuthUser, checkoutId: string): Promise<Schemas['CheckoutResult']> {
    const own = await findOwnCheckout(this.db, caller.id, checkoutId);
    if (!own) throw notFound('checkout');
    return loadCheckout(this.db, checkoutId);
  }

  /**
   * A verified gateway notification. Each event id counts once (a replay changes nothing); the
   * payment row is locked, so a notification racing the expiry job yields exactly one outcome.
   */
  async receiveNotification(rawBody: string, signature: string | undefined): Promise<{ changed: boolean; status: PaymentStatus }> {
    let event: GatewayEvent;
    try {
      event = await this.gateway.verifyWebhook(rawBody, signature);
    } catch (err) {
      if (err instanceof InvalidSignature) {
        throw new DomainError('unauthenticated', err.message, { code: 'invalid-signature', errors: [{ header: 'X-Pasar-Signature', message: err.message }] });
      }
      throw err;
    }
    const outcome: { changed: boolean; status: PaymentStatus; refunds: string[]; paymentId?: string } = await this.db.transaction(async (trx) => {
      const payment = await Payment.query(trx)
        .modify((q) => (event.virtualAccount ? q.where({ virtualAccount: event.virtualAccount }) : q.where({ reference: event.reference ?? '' })))
        .forUpdate()
        .first();
      if (!payment) throw notFound(event.virtualAccount ? `virtual account ${event.virtualAccount}` : 'payment with that reference');
      const amountMatches = event.amount === undefined || event.amount === Number(payment.amount);
      // a transfer the bank took after the virtual account expired: its orders are cancelled and their stock is back on sale, so all of it goes back
      const late = payment.status === 'expired' && amountMatches;
      const recorded = payment.status === 'pending' ? 'paid' : late ? 'refunded: paid after it expired' : `ignored: ${payment.status}`;
      // set-based on purpose: "insert unless this event id was seen", whose answer says which
      const fresh = await trx('paymentEvents')
        .insert({ id: event.id, paymentId: payment.id, type: event.type, payload: JSON.stringify(event), outcome: recorded })
        .onConflict('id')
        .ignore()
        .returning<Array<Pick<PaymentEvent, 'id'>>>('id');
      if (fresh.length === 0) return { changed: false, status: payment.status, refunds: [] };
      if (payment.status !== 'pending' && !late) {
        this.log.warn({ paymentId: payment.id, status: payment.status, eventId: event.id }, 'payment notification for a payment no longer pending');
        return { changed: false, status: payment.status, refunds: [] };
      }
      if (!amountMatches) {
        this.log.warn({ paymentId: payment.id, amount: event.amount, expected: payment.amount }, 'payment notification with another amount');
        return { changed: false, status: payment.status, refunds: [] };
      }
      await Payment.query(trx).findById(payment.id).patch({ status: 'paid', paidAt: trx.fn.now(), updatedAt: trx.fn.now() });
      if (!late) await setOrdersPaymentStatus(trx, payment.checkoutId, 'paid');
      // orders the shopper cancelled before paying (all of them, when it came late) were paid for all the same: their share goes back
      const cancelled = await ordersOfCheckout(trx, payment.checkoutId, 'cancelled');
      const refunds: string[] = [];
      for (const o of cancelled) refunds.push(await recordRefund(trx, payment.id, o.id, Number(o.total)));
      // the shopper was told of the cancellation at the expiry; now they hear the money goes back
      if (late) await enqueue(trx, 'order.refunded', cancelled.map((o) => ({ orderId: o.id })));
      return { changed: true, status: 'paid' as const, refunds, paymentId: payment.id };
    });
    for (const refundId of outcome.refunds) {
      // recorded above; if the gateway does not answer now, payments.reconcile sends it later
      await sendRefund(this.db, this.gateway, refundId).catch((err: unknown) => this.log.warn({ err, refundId }, 'refund not sent yet'));
    }
    if (outcome.refunds.length === 0) return { changed: outcome.changed, status: outcome.status };
    // as the refunds left it: refunded, partially_refunded, or still paid while the gateway does not answer
    return { changed: outcome.changed, status: (await Payment.query(this.db).findById(outcome.paymentId!).throwIfNotFound()).status };
  }

  /**
   * Virtual accounts unpaid past their expiry: the payment expires, its orders are cancelled with
   * "payment expired", their stock goes back (once: the payment row is locked and re-checked), and
   * the shopper is emailed. Returns how many payments expired.
   */
  async expireDue(now = new Date()): Promise<number> {
    const due = await Payment.query(this.db).where({ status: 'pending' }).where('expiresAt', '<=', now).orderBy('expiresAt').limit(500).select('id');
    let expired = 0;
    for (const { id } of due) {
      const done = await this.db.transaction(async (trx) => {
        const payment = await Payment.query(trx).findOne({ id, status: 'pending' }).where('expiresAt', '<=', now).forUpdate();
        if (!payment) return false;
        await Payment.query(trx).findById(id).patch({ status: 'expired', updatedAt: trx.fn.now() });
        const orderIds = (await ordersOfCheckout(trx, payment.checkoutId, 'pending')).map((o) => o.id);
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
    const pending = await Refund.query(this.db).where({ status: 'pending' }).orderBy('createdAt').limit(200).select('id');
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

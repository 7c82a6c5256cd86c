import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { formatRupiah } from '@pasar/openapi/format';
import type { Logger } from 'pino';
import type { AuthUser } from '../domain/caller.ts';
import { DomainError, conflict, invalid, type DomainErrorKind } from '../domain/errors.ts';
import { isUniqueViolation } from '../platform/db/errors.ts';
import { PaymentDeclined, type ChargeResult, type PaymentGateway } from '../platform/payments/gateway.ts';
import { MAX_MONEY, type CartLine, type CartService } from '../modules/cart/index.ts';
import { StockShortError, applyStockChanges, type LockedVariant } from '../modules/inventory/index.ts';
import {
  cancelOrders, checkoutAnswer, claimCheckout, completeCheckout, createForCheckout, loadOrders, lockCheckout, orderLines, ordersOfCheckout, stuckCheckouts, type PlacedOrders,
} from '../modules/orders/index.ts';
import type { AddressesService } from '../modules/addresses/index.ts';
import type { RegionsService } from '../modules/regions/index.ts';
import { type ShippingCalculator, priceParcels } from '../modules/shipping/index.ts';
import { enqueueAll } from '../modules/outbox/index.ts';
import { paymentLocale, spokenLocale, checkoutResult, createPayment, lockPayment, recordCharge, recordFailure } from '../modules/payments/index.ts';

type Schemas = components['schemas'];
type CheckoutRequest = Schemas['CheckoutRequest'];
type CheckoutResult = Schemas['CheckoutResult'];

export interface CheckoutAnswer {
  status: 201;
  body: CheckoutResult;
  replayed: boolean;
}

/** What step 1 left for step 2: a committed checkout whose payment the gateway has not been asked for. */
interface Placed {
  checkoutId: string;
  total: number;
  /** The payer's phone (e-wallets), from the shipping address. */
  phone: string;
  /** The orders step 1 made: step 2 announces them and answers with their items without reading them back. */
  orders: PlacedOrders;
}

/** A concurrent request with the same key waits this long for the first one's answer. */
const REPLAY_WAIT_MS = 30_000;

/** A compensated checkout's answer, kept for replays of its key: the payment failed (402) or its provider did (502). */
type FailedAnswer = { status: 402 | 502; detail: string; type: 'payment-declined' | 'payment-gateway' };
const KIND_OF: Record<FailedAnswer['status'], DomainErrorKind> = { 402: 'payment-failed', 502: 'upstream-failed' };

/** A line's price changed between reading the cart and locking its stock: the attempt is tried again. */
class PriceMoved extends Error {}

/** The 409 for lines short on stock, naming each with what is left. */
function insufficientStock(shortages: Array<{ variantId: string; sku: string; available: number }>, lineOf: Map<string, CartLine>): DomainError {
  const short = shortages.map((s) => {
    const line = lineOf.get(s.variantId)!;
    return { variantId: s.variantId, sku: s.sku, title: line.title, requested: line.quantity, available: s.available };
  });
  return conflict(short.map((s) => `Only ${s.available} of ${s.title} (${s.sku}) left; you asked for ${s.requested}.`).join(' '), {
    code: 'insufficient-stock',
    errors: short.map((s) => ({ message: `${s.sku}: ${s.available} available` })),
    details: { shortages: short },
  });
}

/** The checkout was completed by someone else (the reconcile job) while this step waited: nothing of this step is kept. */
class CompletedMeanwhile extends Error {}

/** JSON with sorted keys, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Pay once for a cart from many stores, making one order per store, in two steps with the gateway
 * call between them and outside any transaction (no row lock waits on an outside system):
 *
 * Step 1, one transaction: claim the idempotency key; take the chosen lines out of the cart; check
 * the total the shopper saw; create the payment; take the stock in variant id order (no oversell, no
 * deadlock; the prices under that lock are the ones charged); create one order per store (payment
 * pending). Only the orders follow the stock lock, so a popular variant's lock is held briefly.
 *
 * Step 2: charge the gateway with the checkout id as its idempotency key, then record the outcome
 * under the payment's row lock: paid or pending, the events go out and the answer is kept; a
 * decline compensates (orders cancelled, stock back through the one stock function, cart lines
 * restored, 402). A crash or a gateway that fails without an answer leaves the checkout
 * `processing`; `reconcile` (a job) asks the gateway by checkout id and finishes it either way.
 * So a shopper ends with a confirmed order or no charge, never a charge without an order.
 */
export class CheckoutFlow {
  private readonly db: Knex;
  private readonly gateway: PaymentGateway;
  private readonly cart: CartService;
  private readonly shipping: { addresses: AddressesService; regions: RegionsService; calculator: ShippingCalculator };
  private readonly paymentTtlSeconds: number;
  private readonly log?: Logger;

  constructor(db: Knex, gateway: PaymentGateway, cart: CartService, shipping: CheckoutFlow['shipping'], opts: { paymentTtlSeconds: number; log?: Logger }) {
    this.db = db;
    this.gateway = gateway;
    this.cart = cart;
    this.shipping = shipping;
    this.paymentTtlSeconds = opts.paymentTtlSeconds;
    this.log = opts.log;
  }

  /** `language` (the request's negotiated locale or an Accept-Language value) picks the payment instructions' language, else the account's locale does. */
  async run(caller: AuthUser, idempotencyKey: string, request: CheckoutRequest, language?: string): Promise<CheckoutAnswer> {
    const placed = await this.place(caller, idempotencyKey, request, language);
    if ('replay' in placed) return this.replay(placed.replay);
    return this.pay(placed, request.paymentMethod);
  }

  /** Step 1, retried on the three rare failures a fresh attempt fixes. */
  private async place(caller: AuthUser, idempotencyKey: string, request: CheckoutRequest, language?: string): Promise<Placed | { replay: string }> {
    // Nothing of a failed attempt is kept, so three rare failures are simply tried again: being picked
    // as a deadlock victim (locks are taken in a fixed order, so it should not happen), an order
    // number already taken by a number from before the sequence (the retry draws the next one), and
    // a price changed between reading the lines and locking their stock (the retry reads it).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(caller, idempotencyKey, request, language);
      } catch (err) {
        const code = (err as { code?: string; nativeError?: { code?: string } }).nativeError?.code ?? (err as { code?: string }).code;
        const retryable = code === '40P01' || code === '40001' || isUniqueViolation(err, 'orders_number_unique') || err instanceof PriceMoved;
        if (attempt >= 3 && err instanceof PriceMoved) {
          throw conflict('Prices kept changing while you checked out; nothing was charged. Look at your cart and try again.', { code: 'price-changed' });
        }
        if (attempt >= 3 || !retryable) throw err;
      }
    }
  }

  /** The first request's answer, once it has one (a concurrent request with the same key waits for it). */
  private async replay(checkoutId: string): Promise<CheckoutAnswer> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const first = await checkoutAnswer(this.db, checkoutId);
      if (first.status === 'completed') {
        if (first.responseStatus !== 201) {
          const problem = first.responseBody as { detail: string; type: string };
          throw new DomainError(KIND_OF[first.responseStatus as FailedAnswer['status']], problem.detail, { code: problem.type.replace(/^urn:pasar:problem:/, '') });
        }
        return { status: 201, body: first.responseBody as CheckoutResult, replayed: true };
      }
      if (Date.now() > deadline) {
        throw conflict('The first request with this Idempotency-Key is still being processed; try again shortly.', { code: 'in-progress' });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Step 2: the gateway, then its outcome recorded (or compensated). */
  private async pay(placed: Placed, method: CheckoutRequest['paymentMethod']): Promise<CheckoutAnswer> {
    const { checkoutId, total, phone } = placed;
    let result: ChargeResult | null;
    try {
      result = await this.gateway.charge({ key: checkoutId, method, amount: total, phone, ttlSeconds: this.paymentTtlSeconds });
    } catch (err) {
      if (err instanceof PaymentDeclined) {
        await this.compensate(checkoutId, 'payment declined', { status: 402, detail: `${err.message} Nothing was bought; try another payment method.`, type: 'payment-declined' });
        throw new DomainError('payment-failed', `${err.message} Nothing was bought; try another payment method.`, { code: 'payment-declined' });
      }
      // no answer: the charge may or may not have happened; ask the gateway by our key
      this.log?.warn({ err, checkoutId }, 'payment gateway failed during checkout; asking it what happened');
      try {
        result = await this.gateway.find(checkoutId);
      } catch (lookupErr) {
        this.log?.warn({ err: lookupErr, checkoutId }, 'payment gateway unreachable; the reconcile job will settle this checkout');
        throw new DomainError('upstream-failed', 'The payment provider did not answer. We will confirm with it shortly: see GET /checkouts/{id} for the outcome.', {
          code: 'payment-gateway',
          details: { checkoutId },
        });
      }
      if (!result) {
        await this.compensate(checkoutId, 'payment not started', { status: 502, detail: 'The payment provider did not answer; nothing was charged or bought.', type: 'payment-gateway' });
        throw new DomainError('upstream-failed', 'The payment provider did not answer; nothing was charged or bought. Your cart is as it was.', {
          code: 'payment-gateway',
          details: { checkoutId },
        });
      }
    }
    if (result.status === 'declined' || result.status === 'expired') {
      await this.compensate(checkoutId, 'payment declined', { status: 402, detail: 'The payment was declined. Nothing was bought; try another payment method.', type: 'payment-declined' });
      throw new DomainError('payment-failed', 'The payment was declined. Nothing was bought; try another payment method.', { code: 'payment-declined' });
    }
    const body = await this.confirm(checkoutId, result, placed.orders);
    if (!body) {
      // the reconcile job gave this checkout up (no charge was known then) before the charge landed:
      // the money goes back, so there is never a charge without an order
      await this.gateway.refund({ key: checkoutId, refundId: `void-${checkoutId}`, amount: total });
      throw new DomainError('upstream-failed', 'The payment provider answered too late; the charge was refunded and nothing was bought.', { code: 'payment-gateway', details: { checkoutId } });
    }
    return { status: 201, body, replayed: false };
  }

  /**
   * Records a charge the gateway accepted (paid or pending), once, and keeps the answer for replays.
   * Undefined when the checkout was already given up (compensated) meanwhile. `placed`: the orders
   * step 1 made, when this process made them (the reconcile job reads them).
   */
  private async confirm(checkoutId: string, result: ChargeResult, placed?: PlacedOrders): Promise<CheckoutResult | undefined> {
    try {
      return await this.db.transaction(async (trx) => {
        // the payment first (every path locks it before the rest), then the checkout's outcome, once:
        // a checkout completed meanwhile (compensated) rolls this back
        const payment = await recordCharge(trx, checkoutId, result);
        const orders = placed
          ? placed.orders.map((o) => ({ ...o, paymentStatus: payment.status }))
          : await loadOrders(trx, (await ordersOfCheckout(trx, checkoutId)).map((o) => o.id));
        const body = checkoutResult({ id: checkoutId, total: orders.reduce((n, o) => n + o.total, 0) }, payment, orders);
        if (!(await completeCheckout(trx, checkoutId, { responseStatus: 201, responseBody: body }))) throw new CompletedMeanwhile();
        await enqueueAll(trx, [
          { topic: 'checkout.completed', payload: { checkoutId } },
          ...orders.map((o) => ({ topic: 'order.placed' as const, payload: { orderId: o.id, storeId: o.store.id } })),
        ]);
        return body;
      });
    } catch (err) {
      if (!(err instanceof CompletedMeanwhile)) throw err;
      const first = await checkoutAnswer(this.db, checkoutId);
      return first.responseStatus === 201 ? (first.responseBody as CheckoutResult) : undefined;
    }
  }

  /**
   * Undoes step 1 when nothing was charged: orders cancelled, stock back through the one stock
   * function, the lines back in the cart, the payment failed; the answer is kept for replays.
   */
  private async compensate(checkoutId: string, reason: string, answer: FailedAnswer): Promise<void> {
    await this.db.transaction(async (trx) => {
      // the payment, then the checkout, then the orders: as every other path locks them
      await lockPayment(trx, checkoutId);
      const checkout = await lockCheckout(trx, checkoutId);
      if (checkout.status === 'completed') return;
      const orderIds = (await ordersOfCheckout(trx, checkoutId)).map((o) => o.id);
      await cancelOrders(trx, orderIds, { reason, actorId: null, actorRole: 'system', notify: false });
      await recordFailure(trx, checkoutId);
      await this.cart.restoreLines(trx, checkout.userId, await orderLines(trx, orderIds));
      const problem = { type: `urn:pasar:problem:${answer.type}`, title: 'Payment failed', status: answer.status, detail: answer.detail };
      await completeCheckout(trx, checkoutId, { responseStatus: answer.status, responseBody: problem });
    });
  }

  /**
   * Settles checkouts left between the steps (a crash, a gateway that did not answer): asks the
   * gateway by checkout id, then confirms what it charged or compensates what it never did.
   */
  async reconcile(olderThanSeconds = 60): Promise<number> {
    const stuck = await stuckCheckouts(this.db, olderThanSeconds);
    let settled = 0;
    for (const checkoutId of stuck) {
      let result: ChargeResult | null;
      try {
        result = await this.gateway.find(checkoutId);
      } catch (err) {
        this.log?.warn({ err, checkoutId }, 'payment gateway still unreachable');
        continue;
      }
      if (result && (result.status === 'paid' || result.status === 'pending')) await this.confirm(checkoutId, result);
      else await this.compensate(checkoutId, result ? 'payment declined' : 'payment not started', { status: 502, detail: 'The payment did not go through; nothing was charged or bought.', type: 'payment-gateway' });
      settled++;
    }
    return settled;
  }

  private async attempt(caller: AuthUser, idempotencyKey: string, request: CheckoutRequest, language?: string): Promise<Placed | { replay: string }> {
    const requestHash = createHash('sha256').update(canonical(request)).digest('hex');
    return this.db.transaction(async (trx) => {
      // 1. the key: inserting it waits for any in-flight step 1 holding the same key
      const claimed = await claimCheckout(trx, { userId: caller.id, idempotencyKey, requestHash, paymentMethod: request.paymentMethod });
      if ('before' in claimed) {
        if (claimed.before.requestHash !== requestHash) {
          throw invalid('This Idempotency-Key was used for a different checkout; use a new key.', [
            { header: 'Idempotency-Key', message: 'was used with another body' },
          ]);
        }
        return { replay: claimed.before.id };
      }
      const checkoutId = claimed.id;

      // the address (a saved one, or inline and maybe saved now)
      const address = await this.shipping.addresses.shippingAddress(caller, request, trx);
      if (request.shippingAddress && request.saveAddress) {
        const { city: _city, province: _province, ...saved } = request.shippingAddress;
        await this.shipping.addresses.create(caller, { ...saved, cityCode: address.cityCode, provinceCode: address.provinceCode }, trx);
      }

      // 2. the chosen lines, taken out of the cart (a failed checkout rolls that back)
      const lines = await this.cart.takeLines(trx, caller.id, request.itemIds);
      if (request.itemIds && lines.length !== request.itemIds.length) {
        throw invalid('Some chosen lines are not in your cart.', [{ pointer: '/itemIds', message: 'names lines that are not in the cart' }]);
      }
      if (lines.length === 0) throw invalid('Your cart is empty.', [{ pointer: '/itemIds', message: 'nothing to buy' }]);
      const gone = lines.filter((l) => !l.onSale);
      if (gone.length) {
        throw conflict(`No longer on sale: ${gone.map((l) => l.title).join(', ')}. Remove it from the cart.`, { errors: [{ message: 'a line is no longer on sale' }] });
      }

      // 3. what the shopper pays, from the lines as read. A line already short on that read is refused
      //    here, without waiting for the stock lock: a sold-out variant's late buyers do not queue for it
      const lineOf = new Map(lines.map((l) => [l.variantId, l]));
      const shortNow = lines.filter((l) => l.stock < l.quantity);
      if (shortNow.length) throw insufficientStock(shortNow.map((l) => ({ variantId: l.variantId, sku: l.sku, available: l.stock })), lineOf);
      const byStore = new Map<string, CartLine[]>();
      for (const line of lines) byStore.set(line.storeId, [...(byStore.get(line.storeId) ?? []), line]);
      const orderIdOfStore = new Map([...byStore.keys()].map((storeId) => [storeId, randomUUID()]));
      const parcels = await priceParcels(this.shipping.calculator, this.shipping.regions, address, [...byStore].map(([storeId, storeLines]) => (
        { storeId, storeName: storeLines[0].storeName, storeCityCode: storeLines[0].storeCityCode, units: storeLines.reduce((n, l) => n + l.quantity, 0) })));
      const shippingOf = (storeLines: CartLine[]) => parcels.get(storeLines[0].storeId)!.cost;
      const total = [...byStore.values()].reduce((n, storeLines) => n + shippingOf(storeLines) + storeLines.reduce((m, l) => m + l.price * l.quantity, 0), 0);
      if (request.expectedTotal !== undefined && request.expectedTotal !== total) {
        // thrown inside the transaction: the key claimed and the lines taken go back with it
        const priceChanges = lines
          .filter((l) => l.price !== l.unitPriceAtAdd)
          .map((l) => ({ itemId: l.id, variantId: l.variantId, title: l.title, oldPrice: l.unitPriceAtAdd, newPrice: l.price }));
        throw conflict(`The total is now ${formatRupiah(total)}, not ${formatRupiah(request.expectedTotal)}: ${priceChanges.map((c) => `${c.title} costs ${formatRupiah(c.newPrice)} (was ${formatRupiah(c.oldPrice)})`).join('; ') || 'shipping changed'}. Nothing was charged; confirm the new total to buy.`, {
          code: 'price-changed',
          errors: [{ pointer: '/expectedTotal', message: `the total is ${total} now` }],
          details: { priceChanges, expectedTotal: request.expectedTotal, total },
        });
      }
      // the contract's Money maximum: no total past it is charged or served
      if (total > MAX_MONEY) {
        throw invalid(`The total would be ${formatRupiah(total)}, past the ${formatRupiah(MAX_MONEY)} one checkout may pay.`, [{ pointer: '', message: `the total must be at most ${MAX_MONEY}` }]);
      }

      // 4. the payment, pending until the gateway answers (step 2)
      // the account's language is read only when the request's says nothing we speak
      const locale = spokenLocale(language) ?? paymentLocale(undefined, (await trx<{ id: string; locale: string }>('users').where({ id: caller.id }).first('locale'))?.locale);
      await createPayment(trx, { checkoutId, method: request.paymentMethod, amount: total, locale });

      // 5. the stock: locked in variant id order, so checkouts cannot deadlock. The locks are held
      //    until the commit, so only the orders follow them.
      let locked: LockedVariant[];
      try {
        locked = await applyStockChanges(
          trx,
          lines.map((l) => ({ variantId: l.variantId, delta: -l.quantity, orderId: orderIdOfStore.get(l.storeId) })),
          { id: caller.id, reason: 'sale' },
        );
      } catch (err) {
        throw err instanceof StockShortError ? insufficientStock(err.shortages, lineOf) : err;
      }
      // what the orders snapshot and the payment charges is the price under the stock lock: a price
      // changed since the lines were read sends this attempt back, and the next one reads it
      if (locked.some((v) => v.price !== lineOf.get(v.id)!.price)) throw new PriceMoved();

      // 6. one order per store, with price and title snapshots and its own shipping (sold counts follow by trigger)
      const orders = await createForCheckout(trx, {
        checkoutId,
        userId: caller.id,
        paymentMethod: request.paymentMethod,
        shippingAddress: address,
        orders: [...byStore].map(([storeId, storeLines]) => ({
          id: orderIdOfStore.get(storeId)!,
          storeId,
          shippingCost: shippingOf(storeLines),
          lines: storeLines.map((l) => ({ id: randomUUID(), variantId: l.variantId, productId: l.productId, title: l.title, options: l.options, sku: l.sku, unitPrice: l.price, quantity: l.quantity })),
        })),
      });
      return { checkoutId, total, phone: address.phone, orders };
    });
  }
}

import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../http/handler.ts';
import { ProblemError, conflict, unprocessable } from '../http/problem.ts';
import { isUniqueViolation } from '../platform/db/errors.ts';
import { PaymentDeclined, type PaymentGateway } from '../platform/payments/gateway.ts';
import { MAX_MONEY, cartLines, type CartLine, type CartService } from '../modules/cart/service.ts';
import { StockShortError, applyStockChanges } from '../modules/inventory/service.ts';
import { loadOrders } from '../modules/orders/service.ts';
import type { AddressesService } from '../modules/addresses/service.ts';
import type { RegionsService } from '../modules/regions/service.ts';
import type { ShippingCalculator } from '../modules/shipping/calculator.ts';
import { priceParcels } from '../modules/shipping/parcels.ts';
import { enqueue } from '../modules/outbox/outbox.ts';

type Schemas = components['schemas'];
type CheckoutRequest = Schemas['CheckoutRequest'];
type CheckoutResult = Schemas['CheckoutResult'];

export interface CheckoutAnswer {
  status: 201;
  body: CheckoutResult;
  replayed: boolean;
}

/** JSON with sorted keys, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const SPACE = 2n ** 30n; // 32^6: six characters of ALPHABET
const SCRAMBLE = 387_420_489n; // odd, so n -> n * SCRAMBLE mod 2^30 is a bijection

/**
 * PSR-20261124-7F3K9Q: the day in Jakarta, then six unambiguous characters from the next value of
 * a sequence, scrambled so numbers do not reveal a store's volume. Unique for the first 2^30 orders
 * (random suffixes collided: the birthday bound bites at a few tens of thousands a day).
 */
export function orderNumber(sequence: number, now = new Date()): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now).replace(/-/g, '');
  let n = (BigInt(sequence) * SCRAMBLE) % SPACE;
  let suffix = '';
  for (let i = 0; i < 6; i++, n /= 32n) suffix = ALPHABET[Number(n % 32n)] + suffix;
  return `PSR-${day}-${suffix}`;
}

/**
 * Pay once for a cart from many stores, making one order per store. Every step runs in one
 * transaction, so any failure (short stock, declined payment) undoes all of them:
 * 1. claim the idempotency key (a concurrent request with the same key waits on it, then replays);
 * 2. lock the cart and read the chosen lines;
 * 3. take the stock with guarded updates in id order (no oversell, no deadlock);
 * 4. create one order per store, with snapshots and its shipping cost;
 * 5. charge the payment; 6. empty the purchased lines; 7. write the outbox events; 8. keep the answer.
 */
export class CheckoutFlow {
  private readonly db: Knex;
  private readonly gateway: PaymentGateway;
  private readonly cart: CartService;
  private readonly shipping: { addresses: AddressesService; regions: RegionsService; calculator: ShippingCalculator };

  constructor(db: Knex, gateway: PaymentGateway, cart: CartService, shipping: CheckoutFlow['shipping']) {
    this.db = db;
    this.gateway = gateway;
    this.cart = cart;
    this.shipping = shipping;
  }

  async run(caller: AuthUser, idempotencyKey: string, request: CheckoutRequest, locale: 'id' | 'en' = 'id'): Promise<CheckoutAnswer> {
    // Nothing of a failed attempt is kept, so two rare failures are simply tried again: being picked
    // as a deadlock victim (locks are taken in a fixed order, so it should not happen), and an order
    // number already taken by a number from before the sequence (the retry draws the next one).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(caller, idempotencyKey, request, locale);
      } catch (err) {
        const code = (err as { code?: string; nativeError?: { code?: string } }).nativeError?.code ?? (err as { code?: string }).code;
        const retryable = code === '40P01' || code === '40001' || isUniqueViolation(err, 'orders_number_unique');
        if (attempt >= 3 || !retryable) throw err;
      }
    }
  }

  private async attempt(caller: AuthUser, idempotencyKey: string, request: CheckoutRequest, locale: 'id' | 'en'): Promise<CheckoutAnswer> {
    const requestHash = createHash('sha256').update(canonical(request)).digest('hex');
    return this.db.transaction(async (trx) => {
      // 1. the key: inserting it waits for any in-flight checkout holding the same key
      const claimed = await trx.raw(
        `insert into checkouts (user_id, idempotency_key, request_hash, payment_method) values (?, ?, ?, ?)
         on conflict (user_id, idempotency_key) do nothing returning id`,
        [caller.id, idempotencyKey, requestHash, request.paymentMethod],
      );
      if (claimed.rows.length === 0) {
        const first = await trx('checkouts').where({ userId: caller.id, idempotencyKey }).first();
        if (first.requestHash !== requestHash) {
          throw unprocessable('This Idempotency-Key was used for a different checkout; use a new key.', [
            { header: 'Idempotency-Key', message: 'was used with another body' },
          ]);
        }
        return { status: 201, body: first.responseBody as CheckoutResult, replayed: true };
      }
      const checkoutId: string = claimed.rows[0].id;

      // the address (a saved one, or inline and maybe saved now)
      const address = await this.shipping.addresses.shippingAddress(caller, request, trx);
      if (request.shippingAddress && request.saveAddress) {
        const { city: _city, province: _province, ...saved } = request.shippingAddress;
        await this.shipping.addresses.create(caller, { ...saved, cityCode: address.cityCode, provinceCode: address.provinceCode }, trx);
      }

      // 2. the cart
      const cartId = await this.cart.cartId(caller.id, trx);
      await trx('carts').where({ id: cartId }).forUpdate();
      const lines = await cartLines(trx, cartId, request.itemIds);
      if (request.itemIds && lines.length !== request.itemIds.length) {
        throw unprocessable('Some chosen lines are not in your cart.', [{ pointer: '/itemIds', message: 'names lines that are not in the cart' }]);
      }
      if (lines.length === 0) throw unprocessable('Your cart is empty.', [{ pointer: '/itemIds', message: 'nothing to buy' }]);
      const gone = lines.filter((l) => !l.onSale);
      if (gone.length) {
        throw conflict(`No longer on sale: ${gone.map((l) => l.title).join(', ')}. Remove it from the cart.`, [{ message: 'a line is no longer on sale' }]);
      }

      // 3. the stock, first: locks are taken in variant id order before anything else touches these
      //    rows (an order item's foreign key would take a share lock), so checkouts cannot deadlock
      const byStore = new Map<string, CartLine[]>();
      for (const line of lines) byStore.set(line.storeId, [...(byStore.get(line.storeId) ?? []), line]);
      const orderIdOfStore = new Map([...byStore.keys()].map((storeId) => [storeId, randomUUID()]));
      try {
        await applyStockChanges(
          trx,
          lines.map((l) => ({ variantId: l.variantId, newStock: (old: number) => old - l.quantity, orderId: orderIdOfStore.get(l.storeId) })),
          { id: caller.id, reason: 'sale' },
        );
      } catch (err) {
        if (!(err instanceof StockShortError)) throw err;
        const short = err.shortages.map((s) => {
          const line = lines.find((l) => l.variantId === s.variantId)!;
          return { variantId: s.variantId, sku: s.sku, title: line.title, requested: line.quantity, available: s.available };
        });
        throw new ProblemError(409, short.map((s) => `Only ${s.available} of ${s.title} (${s.sku}) left; you asked for ${s.requested}.`).join(' '), {
          type: 'insufficient-stock',
          errors: short.map((s) => ({ message: `${s.sku}: ${s.available} available` })),
          extensions: { shortages: short },
        });
      }

      // the prices now, read under the stock locks: what the orders will snapshot and charge
      const locked: Array<{ id: string; price: number }> = await trx('productVariants').whereIn('id', lines.map((l) => l.variantId)).select('id', 'price');
      for (const l of lines) l.price = locked.find((v) => v.id === l.variantId)!.price;
      const parcels = await priceParcels(this.shipping.calculator, this.shipping.regions, address, [...byStore].map(([storeId, storeLines]) => (
        { storeId, storeName: storeLines[0].storeName, storeCityCode: storeLines[0].storeCityCode, units: storeLines.reduce((n, l) => n + l.quantity, 0) })));
      const shippingOf = (storeLines: CartLine[]) => parcels.get(storeLines[0].storeId)!.cost;
      const expected = [...byStore.values()].reduce((n, storeLines) => n + shippingOf(storeLines) + storeLines.reduce((m, l) => m + l.price * l.quantity, 0), 0);
      if (request.expectedTotal !== undefined && request.expectedTotal !== expected) {
        // thrown inside the transaction: the stock taken above and the key claimed go back with it
        const priceChanges = lines
          .filter((l) => l.price !== l.unitPriceAtAdd)
          .map((l) => ({ itemId: l.id, variantId: l.variantId, title: l.title, oldPrice: l.unitPriceAtAdd, newPrice: l.price }));
        throw new ProblemError(409, `The total is now Rp ${expected.toLocaleString('id-ID')}, not Rp ${request.expectedTotal.toLocaleString('id-ID')}: ${priceChanges.map((c) => `${c.title} costs Rp ${c.newPrice.toLocaleString('id-ID')} (was Rp ${c.oldPrice.toLocaleString('id-ID')})`).join('; ') || 'shipping changed'}. Nothing was charged; confirm the new total to buy.`, {
          type: 'price-changed',
          errors: [{ pointer: '/expectedTotal', message: `the total is ${expected} now` }],
          extensions: { priceChanges, expectedTotal: request.expectedTotal, total: expected },
        });
      }
      // the contract's Money maximum: no total past it is charged or served
      if (expected > MAX_MONEY) {
        throw unprocessable(`The total would be Rp ${expected.toLocaleString('id-ID')}, past the Rp ${MAX_MONEY.toLocaleString('id-ID')} one checkout may pay.`, [{ pointer: '', message: `the total must be at most ${MAX_MONEY}` }]);
      }
      const soldPerProduct = new Map<string, number>();
      for (const l of lines) soldPerProduct.set(l.productId, (soldPerProduct.get(l.productId) ?? 0) + l.quantity);
      const productIds = [...soldPerProduct.keys()].sort();
      await trx.raw(
        `update products p set sold_count = p.sold_count + s.units
         from (select unnest(cast(? as uuid[])) as id, unnest(cast(? as int[])) as units) s where p.id = s.id`,
        [productIds, productIds.map((id) => soldPerProduct.get(id)!)],
      );

      // 4. one order per store, with price and title snapshots and its own shipping
      const { rows: sequence } = await trx.raw(`select nextval('order_number_seq') as n from generate_series(1, ?)`, [byStore.size]);
      const orderRows = [...byStore].map(([storeId, storeLines], index) => {
        const subtotal = storeLines.reduce((n, l) => n + l.price * l.quantity, 0);
        const shipping = shippingOf(storeLines);
        return {
          id: orderIdOfStore.get(storeId)!,
          checkoutId,
          storeId,
          userId: caller.id,
          number: orderNumber(Number(sequence[index].n)),
          subtotal,
          shippingCost: shipping,
          total: subtotal + shipping,
          shippingAddress: JSON.stringify(address),
        };
      });
      const total = orderRows.reduce((n, o) => n + o.total, 0);
      await trx('orders').insert(orderRows);
      await trx('orderItems').insert(
        lines.map((l) => ({
          orderId: orderIdOfStore.get(l.storeId),
          variantId: l.variantId,
          productId: l.productId,
          title: l.title,
          options: JSON.stringify(l.options),
          sku: l.sku,
          unitPrice: l.price,
          quantity: l.quantity,
          lineTotal: l.price * l.quantity,
        })),
      );
      await trx('orderEvents').insert(orderRows.map((o) => ({ orderId: o.id, fromStatus: null, toStatus: 'pending', actorId: caller.id, actorRole: 'customer' })));

      // 5. the payment
      let payment;
      try {
        payment = await this.gateway.charge({ checkoutId, method: request.paymentMethod, amount: total, phone: address.phone, locale });
      } catch (err) {
        if (err instanceof PaymentDeclined) throw new ProblemError(402, `${err.message} Nothing was bought; try another payment method.`, { type: 'payment-declined' });
        throw err;
      }

      // 6. the cart lines, 7. the events
      await trx('cartItems').whereIn('id', lines.map((l) => l.id)).delete();
      await enqueue(trx, 'checkout.completed', [{ checkoutId }]);
      await enqueue(trx, 'order.placed', [...orderIdOfStore].map(([storeId, orderId]) => ({ orderId, storeId })));

      // 8. the answer, kept for replays
      const { status: paymentStatus, ...details } = payment;
      await trx('checkouts').where({ id: checkoutId }).update({ total, paymentStatus, payment: JSON.stringify(details) });
      const body: CheckoutResult = {
        checkout: { id: checkoutId, total, paymentMethod: request.paymentMethod, paymentStatus, payment: details },
        orders: (await loadOrders(trx, [...orderIdOfStore.values()])).sort((a, b) => a.store.name.localeCompare(b.store.name)),
      };
      await trx('checkouts').where({ id: checkoutId }).update({ status: 'completed', responseStatus: 201, responseBody: JSON.stringify(body) });
      return { status: 201, body, replayed: false };
    });
  }
}

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { Order } from './models/order.ts';
import { OrderEvent } from './models/order-event.ts';
import { OrderItem } from './models/order-item.ts';

type ShippingAddress = components['schemas']['ShippingAddress'];

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

/** A line as checkout sells it: the snapshot an order item keeps. */
export interface SoldLine {
  variantId: string;
  productId: string;
  title: string;
  options: Record<string, string>;
  sku: string;
  unitPrice: number;
  quantity: number;
}

/** One store's share of a checkout: its order id (chosen by the caller, as stock movements name it first), lines and shipping. */
export interface StoreOrder {
  id: string;
  storeId: string;
  shippingCost: number;
  lines: SoldLine[];
}

/**
 * The orders of a checkout, one per store, pending payment: numbered, with their items' title,
 * options and price snapshots and their first status event, in three set-based inserts (the
 * sales rollups' statement triggers see each order before its items). Returns each order's total.
 */
export async function createForCheckout(
  trx: Knex,
  placed: { checkoutId: string; userId: string; shippingAddress: ShippingAddress; orders: StoreOrder[] },
): Promise<Array<{ id: string; storeId: string; total: number }>> {
  if (placed.orders.length === 0) return [];
  const { rows: sequence } = await trx.raw<{ rows: Array<{ n: number }> }>(`select nextval('order_number_seq') as n from generate_series(1, ?)`, [placed.orders.length]);
  const rows = placed.orders.map((o, index) => {
    const subtotal = o.lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
    return {
      id: o.id,
      checkoutId: placed.checkoutId,
      storeId: o.storeId,
      userId: placed.userId,
      number: orderNumber(Number(sequence[index].n)),
      subtotal,
      shippingCost: o.shippingCost,
      total: subtotal + o.shippingCost,
      shippingAddress: placed.shippingAddress,
    };
  });
  await Order.query(trx).insert(rows);
  await OrderItem.query(trx).insert(
    placed.orders.flatMap((o) => o.lines.map((l) => ({ orderId: o.id, ...l, lineTotal: l.unitPrice * l.quantity }))),
  );
  await OrderEvent.query(trx).insert(rows.map((o) => ({ orderId: o.id, fromStatus: null, toStatus: 'pending' as const, actorId: placed.userId, actorRole: 'customer' as const })));
  return rows.map((o) => ({ id: o.id, storeId: o.storeId, total: o.total }));
}

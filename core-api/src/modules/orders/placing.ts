import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';

type ShippingAddress = components['schemas']['ShippingAddress'];
type OrderItemJson = components['schemas']['OrderItem'];

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

/** A line as checkout sells it: the snapshot an order item keeps (its id chosen by the caller). */
export interface SoldLine {
  id: string;
  variantId: string;
  productId: string;
  title: string;
  options: Record<string, string>;
  sku: string;
  unitPrice: number;
  quantity: number;
}

/** Draws `count` fresh order numbers (from the sequence: unique; one a failed checkout drew is simply never used). */
export async function drawOrderNumbers(trx: Knex, count: number): Promise<string[]> {
  if (count === 0) return [];
  const { rows } = await trx.raw<{ rows: Array<{ n: number }> }>(`select nextval('order_number_seq') as n from generate_series(1, ?)`, [count]);
  return rows.map((r) => orderNumber(Number(r.n)));
}

/**
 * One store's share of a checkout: its order id (chosen by the caller, as stock movements name it
 * first), its number (from `drawOrderNumbers`), lines and shipping.
 */
export interface StoreOrder {
  id: string;
  number: string;
  storeId: string;
  shippingCost: number;
  lines: SoldLine[];
}

/** What placing a checkout's orders made: each order's id, store and total, and its items as order answers list them. */
export interface PlacedOrders {
  orders: Array<{ id: string; storeId: string; total: number }>;
  /** By order id, sorted as `loadOrders` sorts them (by title, then id, in the database's collation). */
  items: Map<string, OrderItemJson[]>;
}

/**
 * The orders of a checkout, one per store, pending payment, with their items' title, options and
 * price snapshots and their first status event; the checkout gets its total. Two set-based
 * statements: the orders (with their events and the checkout's total), then the items.
 */
export async function createForCheckout(
  trx: Knex,
  placed: { checkoutId: string; userId: string; shippingAddress: ShippingAddress; orders: StoreOrder[] },
): Promise<PlacedOrders> {
  if (placed.orders.length === 0) return { orders: [], items: new Map() };
  const orders = placed.orders.map((o) => {
    const subtotal = o.lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
    return { id: o.id, store_id: o.storeId, number: o.number, subtotal, shipping_cost: o.shippingCost };
  });
  const lines = new Map(placed.orders.flatMap((o) => o.lines.map((l) => [l.id, { orderId: o.id, line: l }] as const)));
  const items = [...lines.values()].map(({ orderId, line: l }) => ({
    id: l.id, order_id: orderId, variant_id: l.variantId, product_id: l.productId, title: l.title, options: l.options, sku: l.sku, unit_price: l.unitPrice, quantity: l.quantity,
  }));
  const bindings = { checkoutId: placed.checkoutId, userId: placed.userId, address: JSON.stringify(placed.shippingAddress), orders: JSON.stringify(orders) };
  await trx.raw(
    `with o as (
       insert into orders (id, checkout_id, store_id, user_id, number, subtotal, shipping_cost, total, shipping_address)
       select x.id, :checkoutId, x.store_id, :userId, x.number, x.subtotal, x.shipping_cost, x.subtotal + x.shipping_cost, cast(:address as jsonb)
       from json_to_recordset(cast(:orders as json)) as x (id uuid, store_id uuid, number text, subtotal bigint, shipping_cost bigint)
       returning id, total
     ), e as (
       insert into order_events (order_id, from_status, to_status, actor_id, actor_role)
       select o.id, null, 'pending', :userId, 'customer' from o
     )
     update checkouts set total = (select sum(total) from o), payment_status = 'pending' where id = :checkoutId`,
    bindings,
  );
  // the items in a statement of their own, after their orders: the sales rollups' triggers count
  // an order's units when its items arrive (an order and its items in one statement count twice)
  const { rows: sorted } = await trx.raw<{ rows: Array<{ id: string }> }>(
    `with i as (
       insert into order_items (id, order_id, variant_id, product_id, title, options, sku, unit_price, quantity, line_total)
       select x.id, x.order_id, x.variant_id, x.product_id, x.title, x.options, x.sku, x.unit_price, x.quantity, x.unit_price * x.quantity
       from json_to_recordset(cast(? as json)) as x (id uuid, order_id uuid, variant_id uuid, product_id uuid, title text, options jsonb, sku text, unit_price bigint, quantity int)
       returning id, title
     )
     select id from i order by title, id`,
    [JSON.stringify(items)],
  );
  const byOrder = new Map<string, OrderItemJson[]>(orders.map((o) => [o.id, []]));
  for (const { id } of sorted) {
    const { orderId, line: l } = lines.get(id)!;
    byOrder.get(orderId)!.push({ id: l.id, variantId: l.variantId, productId: l.productId, title: l.title, options: l.options, sku: l.sku, unitPrice: l.unitPrice, quantity: l.quantity, lineTotal: l.unitPrice * l.quantity });
  }
  return { orders: orders.map((o) => ({ id: o.id, storeId: o.store_id, total: o.subtotal + o.shipping_cost })), items: byOrder };
}

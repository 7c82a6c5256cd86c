import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { PREPARED } from '../../platform/db/prepared.ts';

type ShippingAddress = components['schemas']['ShippingAddress'];
type OrderItemJson = components['schemas']['OrderItem'];
type OrderJson = components['schemas']['Order'];

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

/**
 * One store's share of a checkout: its order id (chosen by the caller, as stock movements name it
 * first), lines and shipping. Its number is drawn when it is placed.
 */
export interface StoreOrder {
  id: string;
  storeId: string;
  shippingCost: number;
  lines: SoldLine[];
}

/** What placing a checkout's orders made: each order as its answer shows it (payment pending), in the order of `orders`. */
export interface PlacedOrders {
  orders: OrderJson[];
}

/** An order row as the placing statement returns it (raw SQL: snake_case). */
interface PlacedRow {
  id: string;
  number: string;
  store_id: string;
  store_name: string;
  store_slug: string;
  status: OrderJson['status'];
  payment_status: OrderJson['paymentStatus'];
  subtotal: number;
  shipping_cost: number;
  total: number;
  shipping_address: ShippingAddress;
  placed_at: Date;
  /** Every item id of the checkout, sorted as `loadOrders` sorts items (by title, then id, in the database's collation). */
  item_order: string[];
}

/**
 * The orders of a checkout, one per store, pending payment, in one statement: each with its number
 * (from the sequence, `pasar_order_number`), its items' title, options and price snapshots and its
 * first status event; the checkout gets its total. The sales rollups and sold counts follow by trigger.
 */
export async function createForCheckout(
  trx: Knex,
  placed: { checkoutId: string; userId: string; paymentMethod: OrderJson['paymentMethod']; shippingAddress: ShippingAddress; orders: StoreOrder[] },
): Promise<PlacedOrders> {
  if (placed.orders.length === 0) return { orders: [] };
  const orders = placed.orders.map((o) => ({ id: o.id, store_id: o.storeId, subtotal: o.lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0), shipping_cost: o.shippingCost }));
  const lines = new Map(placed.orders.flatMap((o) => o.lines.map((l) => [l.id, { orderId: o.id, line: l }] as const)));
  const items = [...lines.values()].map(({ orderId, line: l }) => ({
    id: l.id, order_id: orderId, variant_id: l.variantId, product_id: l.productId, title: l.title, options: l.options, sku: l.sku, unit_price: l.unitPrice, quantity: l.quantity,
  }));
  const { rows } = await trx.raw<{ rows: PlacedRow[] }>(
    `with o as (
       insert into orders (id, checkout_id, store_id, user_id, number, subtotal, shipping_cost, total, shipping_address)
       select x.id, :checkoutId, x.store_id, :userId, pasar_order_number(nextval('order_number_seq'), now()), x.subtotal, x.shipping_cost,
         x.subtotal + x.shipping_cost, cast(:address as jsonb)
       from json_to_recordset(cast(:orders as json)) as x (id uuid, store_id uuid, subtotal bigint, shipping_cost bigint)
       returning id, number, store_id, status, payment_status, subtotal, shipping_cost, total, shipping_address, placed_at
     ), e as (
       insert into order_events (order_id, from_status, to_status, actor_id, actor_role)
       select o.id, null, 'pending', :userId, 'customer' from o
     ), i as (
       insert into order_items (id, order_id, variant_id, product_id, title, options, sku, unit_price, quantity, line_total)
       select x.id, x.order_id, x.variant_id, x.product_id, x.title, x.options, x.sku, x.unit_price, x.quantity, x.unit_price * x.quantity
       from json_to_recordset(cast(:items as json)) as x (id uuid, order_id uuid, variant_id uuid, product_id uuid, title text, options jsonb, sku text, unit_price bigint, quantity int)
       returning id, title
     ), c as (
       update checkouts set total = (select sum(total) from o) where id = :checkoutId
     )
     select o.*, s.name as store_name, s.slug as store_slug, array(select id from i order by title, id) as item_order
     from o join stores s on s.id = o.store_id`,
    { checkoutId: placed.checkoutId, userId: placed.userId, address: JSON.stringify(placed.shippingAddress), orders: JSON.stringify(orders), items: JSON.stringify(items) },
  ).options(PREPARED('orders-place'));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const itemsOf = new Map<string, OrderItemJson[]>(orders.map((o) => [o.id, []]));
  for (const id of rows[0].item_order) {
    const { orderId, line: l } = lines.get(id)!;
    itemsOf.get(orderId)!.push({ id: l.id, variantId: l.variantId, productId: l.productId, title: l.title, options: l.options, sku: l.sku, unitPrice: l.unitPrice, quantity: l.quantity, lineTotal: l.unitPrice * l.quantity });
  }
  return {
    orders: orders.map(({ id }) => {
      const o = byId.get(id)!;
      return {
        id,
        number: o.number,
        checkoutId: placed.checkoutId,
        store: { id: o.store_id, name: o.store_name, slug: o.store_slug },
        status: o.status,
        items: itemsOf.get(id)!,
        subtotal: o.subtotal,
        shippingCost: o.shipping_cost,
        total: o.total,
        shippingAddress: o.shipping_address,
        placedAt: o.placed_at.toISOString(),
        paymentMethod: placed.paymentMethod,
        paymentStatus: o.payment_status,
      };
    }),
  };
}

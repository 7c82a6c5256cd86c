import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { countThenPage, type Page } from '../../domain/paging.ts';
import { containing } from '../../domain/text.ts';
import { sellerStoreId } from '../accounts/index.ts';
import { applyStockChanges } from '../inventory/index.ts';
import { enqueue } from '../outbox/index.ts';
import { Order } from './models/order.ts';
import { OrderEvent } from './models/order-event.ts';
import { OrderItem } from './models/order-item.ts';
import { assertTransition, type OrderActor, type OrderStatus } from './state.ts';

type Schemas = components['schemas'];
type OrderJson = Schemas['Order'];
type OrderItemJson = Schemas['OrderItem'];
type PaymentStatus = Schemas['PaymentStatus'];

/** An order row with what its answer shows of its store and checkout. */
type OrderWithStore = Pick<Order, 'id' | 'number' | 'checkoutId' | 'storeId' | 'status' | 'subtotal' | 'shippingCost' | 'total' | 'shippingAddress' | 'trackingNumber' | 'cancelReason' | 'placedAt' | 'deliveredAt' | 'paymentStatus'> & {
  storeName: string;
  storeSlug: string;
  paymentMethod: Schemas['PaymentMethod'];
};

/** Orders with their items, store and (optionally) status history, in a fixed number of queries. */
export async function loadOrders(db: Knex, ids: string[], withHistory = false): Promise<OrderJson[]> {
  if (ids.length === 0) return [];
  const [orders, items, events] = await Promise.all([
    db('orders as o')
      .join('stores as s', 's.id', 'o.storeId')
      .join('checkouts as c', 'c.id', 'o.checkoutId')
      .whereIn('o.id', ids)
      .select<OrderWithStore[]>('o.*', 's.name as storeName', 's.slug as storeSlug', 'c.paymentMethod'),
    OrderItem.query(db).whereIn('orderId', ids).orderBy('title').orderBy('id'),
    withHistory ? OrderEvent.query(db).whereIn('orderId', ids).orderBy('createdAt').orderBy('id') : Promise.resolve([]),
  ]);
  const byId = new Map(orders.map((o) => [o.id, o]));
  return ids.flatMap((id) => {
    const o = byId.get(id);
    if (!o) return [];
    return [{
      id: o.id,
      number: o.number,
      checkoutId: o.checkoutId,
      store: { id: o.storeId, name: o.storeName, slug: o.storeSlug },
      status: o.status,
      items: items.filter((i) => i.orderId === id).map(itemJson),
      subtotal: o.subtotal,
      shippingCost: o.shippingCost,
      total: o.total,
      shippingAddress: o.shippingAddress,
      ...(o.trackingNumber ? { trackingNumber: o.trackingNumber } : {}),
      ...(o.cancelReason ? { cancelReason: o.cancelReason } : {}),
      placedAt: o.placedAt.toISOString(),
      ...(o.deliveredAt ? { deliveredAt: o.deliveredAt.toISOString() } : {}),
      paymentMethod: o.paymentMethod,
      paymentStatus: o.paymentStatus,
      ...(withHistory
        ? {
            history: events
              .filter((e) => e.orderId === id)
              .map((e) => ({ from: e.fromStatus, to: e.toStatus, actor: e.actorRole, ...(e.note ? { note: e.note } : {}), at: e.createdAt.toISOString() })),
          }
        : {}),
    }];
  });
}

/** An order's line as answers show it. */
function itemJson(i: OrderItem): OrderItemJson {
  return { id: i.id, variantId: i.variantId, productId: i.productId, title: i.title, options: i.options, sku: i.sku, unitPrice: i.unitPrice, quantity: i.quantity, lineTotal: i.lineTotal };
}

/** A checkout's orders, by id: each with its store, status and total. */
export async function ordersOfCheckout(db: Knex, checkoutId: string, status?: OrderStatus): Promise<Array<Pick<Order, 'id' | 'storeId' | 'status' | 'total'>>> {
  return Order.query(db)
    .where({ checkoutId })
    .modify((q) => (status ? q.where({ status }) : q))
    .orderBy('id')
    .select('id', 'storeId', 'status', 'total');
}

/** Whether any of a checkout's orders still waits to be delivered (cash on delivery is collected per order). */
export async function awaitsDelivery(db: Knex, checkoutId: string): Promise<boolean> {
  const waiting = await Order.query(db).where({ checkoutId }).whereNotIn('status', ['delivered', 'cancelled']).first().select('id');
  return waiting !== undefined;
}

/** The lines of orders, as they were sold: what a compensation puts back in the cart. */
export async function orderLines(db: Knex, orderIds: string[]): Promise<Array<Pick<OrderItem, 'orderId' | 'variantId' | 'productId' | 'quantity' | 'unitPrice'>>> {
  if (orderIds.length === 0) return [];
  return OrderItem.query(db).whereIn('orderId', orderIds).select('orderId', 'variantId', 'productId', 'quantity', 'unitPrice');
}

/**
 * The payment status a checkout's orders carry. `paid` and `expired` reach only orders still in
 * play (an order cancelled earlier keeps its own); `failed` and `pending` reach every one.
 */
export async function setOrdersPaymentStatus(trx: Knex, checkoutId: string, status: PaymentStatus): Promise<void> {
  await Order.query(trx)
    .where({ checkoutId })
    .modify((q) => (status === 'paid' || status === 'expired' ? q.whereNot('status', 'cancelled') : q))
    .patch({ paymentStatus: status, updatedAt: trx.fn.now() });
}

/** A cancelled order's units go back on the shelf (through the one stock function); the sold counts follow the order's status by trigger. */
async function restock(trx: Knex, orderIds: string[], actorId: string | null): Promise<void> {
  if (orderIds.length === 0) return;
  const items = await orderLines(trx, orderIds);
  await applyStockChanges(
    trx,
    items.map((i) => ({ variantId: i.variantId, delta: i.quantity, orderId: i.orderId })),
    { id: actorId, reason: 'cancellation' },
  );
}

/**
 * Cancels orders the system gives up on (declined or expired payment): recorded in order_events,
 * stock back, and (with `notify`) the shopper told. The caller holds the lock that makes this once.
 */
export async function cancelOrders(
  trx: Knex,
  orderIds: string[],
  opts: { reason: string; actorId: string | null; actorRole: OrderActor; notify: boolean },
): Promise<void> {
  if (orderIds.length === 0) return;
  const orders = await Order.query(trx).whereIn('id', orderIds).whereNot('status', 'cancelled').orderBy('id').forUpdate().select('id', 'status');
  const ids = orders.map((o) => o.id);
  if (ids.length === 0) return;
  await Order.query(trx).whereIn('id', ids).patch({ status: 'cancelled', cancelReason: opts.reason, updatedAt: trx.fn.now() });
  await OrderEvent.query(trx).insert(orders.map((o) => ({ orderId: o.id, fromStatus: o.status, toStatus: 'cancelled' as const, actorId: opts.actorId, actorRole: opts.actorRole, note: opts.reason })));
  await restock(trx, ids, opts.actorId);
  if (opts.notify) await enqueue(trx, 'order.status-changed', orders.map((o) => ({ orderId: o.id, from: o.status, to: 'cancelled' })));
}

/** What the order process asks of the payments module, inside the move's transaction or after it. */
export interface PaymentHooks {
  /**
   * Locks a checkout's payment, if it has one. Every path locks the payment before the orders
   * (webhook, expiry, refunds, moves), so none deadlock.
   */
  lockPayment(trx: Knex, checkoutId: string): Promise<{ id: string; method: Schemas['PaymentMethod'] } | undefined>;
  /** Records a refund of a cancelled paid order's share; returns its id. */
  recordRefund(trx: Knex, paymentId: string, orderId: string, amount: number): Promise<string>;
  /** A cash-on-delivery order was delivered: its cash was collected. */
  cashCollected(trx: Knex, paymentId: string, checkoutId: string): Promise<void>;
  /** Sends a recorded refund through the gateway (after the move committed). */
  sendRefund(refundId: string): Promise<void>;
}

/** One order's own payment status (a refund of its share, cash collected on delivery). */
export async function setOrderPaymentStatus(trx: Knex, orderId: string, status: PaymentStatus): Promise<void> {
  await Order.query(trx).findById(orderId).patch({ paymentStatus: status, updatedAt: trx.fn.now() });
}

interface Scope {
  userId?: string;
  storeId?: string;
}

export class OrdersService {
  private readonly db: Knex;
  private readonly payments: PaymentHooks;

  /** The payment's side of order moves, from the payments module (which owns its tables). */
  constructor(db: Knex, payments: PaymentHooks) {
    this.db = db;
    this.payments = payments;
  }

  private async scopeOf(caller: AuthUser): Promise<Scope> {
    if (caller.role === 'customer') return { userId: caller.id };
    return { storeId: await sellerStoreId(this.db, caller) };
  }

  /** The orders the caller may see: a shopper's own, a seller's store's. */
  private scoped(db: Knex, scope: Scope): Knex.QueryBuilder<Order> {
    const query = db<Order>('orders');
    if (scope.userId) query.where('orders.userId', scope.userId);
    if (scope.storeId) query.where('orders.storeId', scope.storeId);
    return query;
  }

  async list(caller: AuthUser, filter: { status?: OrderStatus; paymentStatus?: PaymentStatus; q?: string; page: number; pageSize: number }): Promise<Page<OrderJson>> {
    const scope = await this.scopeOf(caller);
    const base = this.scoped(this.db, scope).modify((q) => {
      if (filter.status) q.where('orders.status', filter.status);
      if (filter.paymentStatus) q.where('orders.paymentStatus', filter.paymentStatus);
      if (filter.q) q.whereILike('orders.number', containing(filter.q));
    });
    return countThenPage(base, filter, async (page) => {
      const rows = await page.orderBy('placedAt', 'desc').orderBy('id').select<Array<{ id: string }>>('id');
      return loadOrders(this.db, rows.map((r) => r.id));
    });
  }

  /** The seller's orders per status that match `q`, for the tabs of the orders page. */
  async countByStatus(caller: AuthUser, q?: string): Promise<Record<OrderStatus, number>> {
    const scope = await this.scopeOf(caller);
    const rows = await this.scoped(this.db, scope)
      .modify((query) => {
        if (q) query.whereILike('orders.number', containing(q));
      })
      .groupBy('orders.status')
      .select<Array<{ status: OrderStatus; count: string }>>('orders.status', this.db.raw('count(*) as count'));
    const counts = { pending: 0, processing: 0, shipped: 0, delivered: 0, cancelled: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** Another shopper's or store's order is a 404, as if it did not exist. */
  async get(caller: AuthUser, orderId: string): Promise<OrderJson> {
    const scope = await this.scopeOf(caller);
    const found = await this.scoped(this.db, scope).where('orders.id', orderId).first<Pick<Order, 'id'> | undefined>('id');
    if (!found) throw notFound('order');
    const [order] = await loadOrders(this.db, [orderId], true);
    return order;
  }

  /**
   * Moves an order through its lifecycle: checked by the state machine (which asks the payment)
   * under a row lock (so a double cancel restocks once), recorded in order_events, announced through
   * the outbox. Cancelling a paid order records a refund of its share in the same transaction and
   * sends it through the gateway right after (a job retries it if the gateway is down). Delivering
   * a cash-on-delivery order is its payment.
   */
  async transition(caller: AuthUser, orderId: string, to: OrderStatus, extra: { trackingNumber?: string; reason?: string } = {}): Promise<OrderJson> {
    const scope = await this.scopeOf(caller);
    const actor: OrderActor = caller.role;
    const refundId = await this.db.transaction(async (trx) => {
      const target = await this.scoped(trx, scope).where('orders.id', orderId).first<Pick<Order, 'checkoutId'> | undefined>('checkoutId');
      if (!target) throw notFound('order');
      // the payment before the order: the order in which every path locks them (webhook, expiry, refunds), so none deadlock
      const payment = await this.payments.lockPayment(trx, target.checkoutId);
      const order = await Order.query(trx).findById(orderId).forUpdate().throwIfNotFound();
      assertTransition(order.status, to, actor, payment ? { method: payment.method, status: order.paymentStatus } : undefined);
      if (to === 'shipped' && !extra.trackingNumber) {
        throw invalid('Shipping needs the courier tracking number.', [{ pointer: '/trackingNumber', message: 'is required to ship' }]);
      }
      await Order.query(trx)
        .findById(orderId)
        .patch({
          status: to,
          updatedAt: trx.fn.now(),
          ...(to === 'shipped' ? { trackingNumber: extra.trackingNumber } : {}),
          ...(to === 'cancelled' ? { cancelReason: extra.reason ?? null } : {}),
          ...(to === 'delivered' ? { deliveredAt: trx.fn.now() } : {}),
        });
      await OrderEvent.query(trx).insert({
        orderId,
        fromStatus: order.status,
        toStatus: to,
        actorId: caller.id,
        actorRole: actor,
        note: to === 'shipped' ? (extra.trackingNumber ?? null) : to === 'cancelled' ? (extra.reason ?? null) : null,
      });
      if (to === 'cancelled') await restock(trx, [orderId], caller.id);
      let refund: string | undefined;
      if (to === 'cancelled' && payment && order.paymentStatus === 'paid') refund = await this.payments.recordRefund(trx, payment.id, orderId, order.total);
      if (to === 'delivered' && payment?.method === 'cod') {
        await setOrderPaymentStatus(trx, orderId, 'paid');
        await this.payments.cashCollected(trx, payment.id, order.checkoutId);
      }
      await enqueue(trx, 'order.status-changed', [{ orderId, from: order.status, to }]);
      return refund;
    });
    if (refundId) {
      await this.payments.sendRefund(refundId).catch(() => {
        // recorded as pending: the payments.reconcile job sends it when the gateway answers again
      });
    }
    const [order] = await loadOrders(this.db, [orderId], true);
    return order;
  }
}

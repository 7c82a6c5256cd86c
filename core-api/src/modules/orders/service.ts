import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../http/handler.ts';
import { notFound, unprocessable } from '../../http/problem.ts';
import { applyStockChanges } from '../inventory/service.ts';
import { enqueue } from '../outbox/outbox.ts';
import { assertTransition, type OrderActor, type OrderStatus } from './state.ts';

type Schemas = components['schemas'];
type OrderJson = Schemas['Order'];

/** Orders with their items, store and (optionally) status history, in a fixed number of queries. */
export async function loadOrders(db: Knex, ids: string[], withHistory = false): Promise<OrderJson[]> {
  if (ids.length === 0) return [];
  const [orders, items, events] = await Promise.all([
    db('orders as o')
      .join('stores as s', 's.id', 'o.storeId')
      .join('checkouts as c', 'c.id', 'o.checkoutId')
      .whereIn('o.id', ids)
      .select('o.*', 's.name as storeName', 's.slug as storeSlug', 'c.paymentMethod', 'c.paymentStatus'),
    db('orderItems').whereIn('orderId', ids).orderBy('title').orderBy('id'),
    withHistory ? db('orderEvents').whereIn('orderId', ids).orderBy('createdAt').orderBy('id') : Promise.resolve([]),
  ]);
  const byId = new Map(orders.map((o) => [o.id, o]));
  return ids.filter((id) => byId.has(id)).map((id) => {
    const o = byId.get(id);
    return {
      id: o.id,
      number: o.number,
      store: { id: o.storeId, name: o.storeName, slug: o.storeSlug },
      status: o.status,
      items: items
        .filter((i) => i.orderId === id)
        .map((i) => ({ id: i.id, variantId: i.variantId, productId: i.productId, title: i.title, options: i.options, sku: i.sku, unitPrice: i.unitPrice, quantity: i.quantity, lineTotal: i.lineTotal })),
      subtotal: o.subtotal,
      shippingCost: o.shippingCost,
      total: o.total,
      shippingAddress: o.shippingAddress,
      ...(o.trackingNumber ? { trackingNumber: o.trackingNumber } : {}),
      ...(o.cancelReason ? { cancelReason: o.cancelReason } : {}),
      placedAt: o.placedAt.toISOString(),
      ...(o.deliveredAt ? { deliveredAt: o.deliveredAt.toISOString() } : {}),
      paymentMethod: o.paymentMethod,
      ...(o.paymentStatus ? { paymentStatus: o.paymentStatus } : {}),
      ...(withHistory
        ? {
            history: events
              .filter((e) => e.orderId === id)
              .map((e) => ({ from: e.fromStatus, to: e.toStatus, actor: e.actorRole, ...(e.note ? { note: e.note } : {}), at: e.createdAt.toISOString() })),
          }
        : {}),
    };
  });
}

interface Scope {
  userId?: string;
  storeId?: string;
}

export class OrdersService {
  private readonly db: Knex;

  constructor(db: Knex) {
    this.db = db;
  }

  private async scopeOf(caller: AuthUser): Promise<Scope> {
    if (caller.role === 'customer') return { userId: caller.id };
    const store = await this.db('stores').where({ ownerId: caller.id }).first('id');
    if (!store) throw notFound('store');
    return { storeId: store.id };
  }

  private scoped(query: Knex.QueryBuilder, scope: Scope) {
    if (scope.userId) query.where('orders.userId', scope.userId);
    if (scope.storeId) query.where('orders.storeId', scope.storeId);
    return query;
  }

  async list(caller: AuthUser, filter: { status?: OrderStatus; q?: string; page: number; pageSize: number }) {
    const scope = await this.scopeOf(caller);
    const base = this.scoped(this.db('orders'), scope).modify((q) => {
      if (filter.status) q.where('orders.status', filter.status);
      if (filter.q) q.whereILike('orders.number', `%${filter.q.replace(/[%_\\]/g, '\\$&')}%`);
    });
    const [{ count }] = await base.clone().count<{ count: string }[]>({ count: '*' });
    const ids: string[] = await base.clone().orderBy('placedAt', 'desc').orderBy('id').limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).pluck('id');
    return { items: await loadOrders(this.db, ids), total: Number(count), page: filter.page, pageSize: filter.pageSize };
  }

  /** The seller's orders per status that match `q`, for the tabs of the orders page. */
  async countByStatus(caller: AuthUser, q?: string): Promise<Record<OrderStatus, number>> {
    const scope = await this.scopeOf(caller);
    const rows: Array<{ status: OrderStatus; count: string }> = await this.scoped(this.db('orders'), scope)
      .modify((query) => {
        if (q) query.whereILike('orders.number', `%${q.replace(/[%_\\]/g, '\\$&')}%`);
      })
      .groupBy('orders.status')
      .select('orders.status')
      .count({ count: '*' });
    const counts = { pending: 0, processing: 0, shipped: 0, delivered: 0, cancelled: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** Another shopper's or store's order is a 404, as if it did not exist. */
  async get(caller: AuthUser, orderId: string): Promise<OrderJson> {
    const scope = await this.scopeOf(caller);
    const found = await this.scoped(this.db('orders').where('orders.id', orderId), scope).first('id');
    if (!found) throw notFound('order');
    const [order] = await loadOrders(this.db, [orderId], true);
    return order;
  }

  /**
   * Moves an order through its lifecycle: checked by the state machine under a row lock (so a
   * double cancel restocks once), recorded in order_events, announced through the outbox.
   */
  async transition(caller: AuthUser, orderId: string, to: OrderStatus, extra: { trackingNumber?: string; reason?: string } = {}): Promise<OrderJson> {
    const scope = await this.scopeOf(caller);
    const actor: OrderActor = caller.role;
    await this.db.transaction(async (trx) => {
      const order = await this.scoped(trx('orders').where('orders.id', orderId), scope).forUpdate().first();
      if (!order) throw notFound('order');
      assertTransition(order.status, to, actor);
      if (to === 'shipped' && !extra.trackingNumber) {
        throw unprocessable('Shipping needs the courier tracking number.', [{ pointer: '/trackingNumber', message: 'is required to ship' }]);
      }
      await trx('orders')
        .where({ id: orderId })
        .update({
          status: to,
          updatedAt: trx.fn.now(),
          ...(to === 'shipped' ? { trackingNumber: extra.trackingNumber } : {}),
          ...(to === 'cancelled' ? { cancelReason: extra.reason ?? null } : {}),
          ...(to === 'delivered' ? { deliveredAt: trx.fn.now() } : {}),
        });
      await trx('orderEvents').insert({
        orderId,
        fromStatus: order.status,
        toStatus: to,
        actorId: caller.id,
        actorRole: actor,
        note: to === 'shipped' ? extra.trackingNumber : to === 'cancelled' ? (extra.reason ?? null) : null,
      });
      if (to === 'cancelled') await this.restock(trx, orderId, caller.id);
      await enqueue(trx, 'order.status-changed', [{ orderId, from: order.status, to }]);
    });
    const [order] = await loadOrders(this.db, [orderId], true);
    return order;
  }

  /** A cancelled order's units go back on the shelf and off the sold count. */
  private async restock(trx: Knex, orderId: string, actorId: string): Promise<void> {
    const items: Array<{ variantId: string; productId: string; quantity: number }> = await trx('orderItems').where({ orderId });
    await applyStockChanges(
      trx,
      items.map((i) => ({ variantId: i.variantId, newStock: (old: number) => old + i.quantity, orderId })),
      { id: actorId, reason: 'cancellation' },
    );
    for (const item of items) {
      await trx('products').where({ id: item.productId }).update({ soldCount: trx.raw('greatest(sold_count - ?, 0)', [item.quantity]) });
    }
  }
}

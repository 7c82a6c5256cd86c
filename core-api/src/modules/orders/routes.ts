import type { Handlers } from '../../http/handler.ts';
import type { OrdersService } from './service.ts';

type OrderOps =
  | 'listMyOrders' | 'getMyOrder' | 'cancelMyOrder' | 'confirmReceipt'
  | 'listStoreOrders' | 'getStoreOrder' | 'setStoreOrderStatus';

export function orderHandlers(orders: OrdersService): Handlers<OrderOps> {
  const page = (q: { page?: number; pageSize?: number }) => ({ page: q.page!, pageSize: q.pageSize! }) // defaults from the spec, filled in by the validator;
  return {
    listMyOrders: async ({ user, query }) => ({ status: 200, body: await orders.list(user(), { status: query.status, paymentStatus: query.paymentStatus, ...page(query) }) }),
    getMyOrder: async ({ user, params }) => ({ status: 200, body: await orders.get(user(), params.id) }),
    cancelMyOrder: async ({ user, params, ctx }) => ({
      status: 200,
      body: await orders.transition(user(), params.id, 'cancelled', { reason: ctx.state.locale === 'en' ? 'Cancelled by the shopper' : 'Dibatalkan oleh pembeli' }),
    }),
    confirmReceipt: async ({ user, params }) => ({ status: 200, body: await orders.transition(user(), params.id, 'delivered') }),
    listStoreOrders: async ({ user, query }) => {
      const [list, counts] = await Promise.all([
        orders.list(user(), { status: query.status, paymentStatus: query.paymentStatus, q: query.q, ...page(query) }),
        orders.countByStatus(user(), query.q),
      ]);
      return { status: 200, body: { ...list, counts } };
    },
    getStoreOrder: async ({ user, params }) => ({ status: 200, body: await orders.get(user(), params.id) }),
    setStoreOrderStatus: async ({ user, params, body }) => ({
      status: 200,
      body: await orders.transition(user(), params.id, body.status, { trackingNumber: body.trackingNumber, reason: body.reason }),
    }),
  };
}

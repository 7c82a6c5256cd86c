// The orders module's public surface: what other code imports. Nothing else of it is reached from outside.
export { checkoutAnswer, claimCheckout, completeCheckout, findCheckout, findOwnCheckout, lockCheckout, stuckCheckouts, type ClaimedBefore } from './checkouts.ts';
export { createForCheckout, type PlacedOrders, type SoldLine, type StoreOrder } from './placing.ts';
export { orderHandlers } from './routes.ts';
export {
  OrdersService, awaitsDelivery, cancelOrders, loadOrders, orderLines, ordersOfCheckout, setOrderPaymentStatus, setOrdersPaymentStatus, type PaymentHooks,
} from './service.ts';
export type { OrderActor, OrderStatus } from './state.ts';

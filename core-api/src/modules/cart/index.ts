// The cart module's public surface: what other code imports. Nothing else of it is reached from outside.
export { cartHandlers } from './routes.ts';
export { CartService, MAX_MONEY, type CartLine } from './service.ts';

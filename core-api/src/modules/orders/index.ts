// The orders module's public surface: other code imports these, never the files behind them.
export * from './checkouts.ts';
export * from './placing.ts';
export * from './routes.ts';
export * from './service.ts';
export type { OrderActor, OrderStatus } from './state.ts';

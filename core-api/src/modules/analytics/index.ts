// The analytics module's public surface: what other code imports. Nothing else of it is reached from outside.
export { ProductCounters, visitorKey, type ProductEvent } from './counters.ts';
export { analyticsHandlers } from './routes.ts';
export { AnalyticsService, rebuildSalesRollups } from './service.ts';

// The inventory module's public surface: what other code imports. Nothing else of it is reached from outside.
export { inventoryHandlers } from './routes.ts';
export { inStock, productInStockSql, stockStatus, stockStatusSql, type StockStatus } from './rules.ts';
export { InventoryService, StockShortError, applyStockChanges, type LockedVariant, type StockReason, type StockShortage } from './service.ts';

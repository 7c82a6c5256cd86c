import type { Handlers } from '../../http/handler.ts';
import type { InventoryService } from './service.ts';

export function inventoryHandlers(inventory: InventoryService): Handlers<'listInventory' | 'updateInventory' | 'getStockHistory'> {
  return {
    listInventory: async ({ user, query }) => ({
      status: 200,
      body: await inventory.list(user(), { status: query.status, q: query.q, page: query.page!, pageSize: query.pageSize! }),
    }),
    updateInventory: async ({ user, body }) => ({ status: 200, body: await inventory.update(user(), body.items) }),
    getStockHistory: async ({ user, params, query }) => ({
      status: 200,
      body: await inventory.history(user(), params.variantId, { page: query.page ?? 1, pageSize: query.pageSize ?? 24 }),
    }),
  };
}

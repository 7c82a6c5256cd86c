// The accounts module's public surface: what other code imports. Nothing else of it is reached from outside.
export { scheduleAccountJobs } from './jobs.ts';
export { accountHandlers, storeLogoHandlers } from './routes.ts';
export { sellerStore, sellerStoreId } from './seller-store.ts';
export { AccountsService } from './service.ts';
export { SessionRegistry } from './sessions.ts';
export { StoreLogoService, type ImageProcessor } from './store-logo.ts';

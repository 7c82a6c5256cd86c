// The catalog module's public surface: other code imports these, never the files behind them.
export * from './cache.ts';
export * from './images.service.ts';
export * from './media.ts';
export * from './products.service.ts';
export * from './routes.ts';
export * from './search-documents.ts';
export * from './storefront.service.ts';

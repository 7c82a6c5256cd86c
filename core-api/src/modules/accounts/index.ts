// The accounts module's public surface: other code imports these, never the files behind them.
export * from './jobs.ts';
export * from './routes.ts';
export * from './seller-store.ts';
export * from './service.ts';
export * from './sessions.ts';
export * from './store-logo.ts';

// The inventory module's public surface: other code imports these, never the files behind them.
export * from './routes.ts';
export * from './rules.ts';
export * from './service.ts';

// The analytics module's public surface: other code imports these, never the files behind them.
export * from './counters.ts';
export * from './routes.ts';
export * from './service.ts';

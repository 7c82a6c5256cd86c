// The notifications module's public surface: other code imports these, never the files behind them.
export * from './handlers.ts';
export * from './weekly-report.ts';

// The payments module's public surface: other code imports these, never the files behind them.
export * from './instructions.ts';
export * from './routes.ts';
export * from './service.ts';

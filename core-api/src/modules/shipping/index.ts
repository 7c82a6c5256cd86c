// The shipping module's public surface: other code imports these, never the files behind them.
export * from './calculator.ts';
export * from './parcels.ts';

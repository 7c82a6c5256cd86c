// The outbox module's public surface: other code imports these, never the files behind them.
export * from './job.ts';
export * from './outbox.ts';
export * from './relay.ts';

// The system module's public surface: what other code imports. Nothing else of it is reached from outside.
export { systemHandlers } from './routes.ts';

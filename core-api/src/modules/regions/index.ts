// The regions module's public surface: what other code imports. Nothing else of it is reached from outside.
export { regionHandlers } from './routes.ts';
export { RegionsService, type Place } from './service.ts';

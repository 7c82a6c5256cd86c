// The reviews module's public surface: other code imports these, never the files behind them.
export { reviewHandlers } from './routes.ts';
export { ReviewsService } from './service.ts';

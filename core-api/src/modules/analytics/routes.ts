import type { Handlers } from '../../http/handler.ts';
import type { AnalyticsService } from './service.ts';

export function analyticsHandlers(analytics: AnalyticsService): Handlers<'getSellerAnalytics'> {
  return {
    getSellerAnalytics: async ({ user, query }) => ({ status: 200, body: await analytics.forSeller(user(), query) }),
  };
}

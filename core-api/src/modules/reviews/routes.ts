import type { Handlers } from '../../http/handler.ts';
import type { ReviewsService } from './service.ts';

export function reviewHandlers(reviews: ReviewsService): Handlers<'listReviews' | 'createReview'> {
  return {
    listReviews: async ({ params, query }) => ({ status: 200, body: await reviews.list(params.id, query.page!, query.pageSize!) }),
    createReview: async ({ user, params, body }) => ({ status: 201, body: await reviews.create(user(), params.id, body.rating, body.comment ?? '') }),
  };
}

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { conflict, forbidden, notFound } from '../../domain/errors.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { productRating, recordRating, reviewableProduct } from '../catalog/index.ts';
import { Review } from './models/review.ts';

type ReviewJson = components['schemas']['Review'];

const toJson = (r: { id: string; rating: number; comment: string; reviewerName: string; createdAt: Date }): ReviewJson => ({
  id: r.id,
  rating: r.rating,
  comment: r.comment,
  reviewerName: r.reviewerName,
  verifiedPurchase: true,
  createdAt: r.createdAt.toISOString(),
});

/** Only buyers review: a delivered order of theirs must contain the product; one review per shopper and product. */
export class ReviewsService {
  private readonly db: Knex;

  constructor(db: Knex) {
    this.db = db;
  }

  async create(caller: AuthUser, productId: string, rating: number, comment: string): Promise<ReviewJson> {
    try {
      return await this.db.transaction(async (trx) => {
        // locked: concurrent reviews of one product count each other
        if (!(await reviewableProduct(trx, productId))) throw notFound('product');
        const order = await trx('orders as o')
          .join('orderItems as i', 'i.orderId', 'o.id')
          .where({ 'o.userId': caller.id, 'o.status': 'delivered', 'i.productId': productId })
          .orderBy('o.deliveredAt', 'desc')
          .first<{ id: string } | undefined>('o.id');
        if (!order) throw forbidden('Only shoppers who received this product may review it.');
        const row = await Review.query(trx).insert({ productId, userId: caller.id, orderId: order.id, rating, comment }).returning('*');
        // the product's rating follows every review
        const { count, average } = await trx('reviews')
          .where({ productId })
          .first<{ count: number; average: number }>(trx.raw('count(*) as count'), trx.raw('coalesce(avg(rating), 0) as average'));
        await recordRating(trx, productId, { count, average });
        const user = await trx('users').where({ id: caller.id }).first<{ name: string }>('name');
        return toJson({ ...row, reviewerName: user.name });
      });
    } catch (err) {
      if (isUniqueViolation(err, 'reviews_product_id_user_id_unique')) throw conflict('You already reviewed this product.');
      throw err;
    }
  }

  async list(productId: string, page: number, pageSize: number) {
    const rating = await productRating(this.db, productId);
    if (!rating) throw notFound('product');
    const rows = await this.db('reviews as r')
      .join('users as u', 'u.id', 'r.userId')
      .where('r.productId', productId)
      .orderBy('r.createdAt', 'desc')
      .orderBy('r.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .select<Array<{ id: string; rating: number; comment: string; createdAt: Date; reviewerName: string }>>('r.id', 'r.rating', 'r.comment', 'r.createdAt', 'u.name as reviewerName');
    return {
      items: rows.map(toJson),
      total: rating.count,
      page,
      pageSize,
      rating,
    };
  }
}

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../http/handler.ts';
import { conflict, forbidden, notFound } from '../../http/problem.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { enqueue } from '../outbox/index.ts';

type Review = components['schemas']['Review'];

const toJson = (r: { id: string; rating: number; comment: string; reviewerName: string; createdAt: Date }): Review => ({
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

  async create(caller: AuthUser, productId: string, rating: number, comment: string): Promise<Review> {
    try {
      return await this.db.transaction(async (trx) => {
        const product = await trx('products').where({ id: productId }).whereNot({ status: 'draft' }).forUpdate().first('id');
        if (!product) throw notFound('product');
        const order = await trx('orders as o')
          .join('orderItems as i', 'i.orderId', 'o.id')
          .where({ 'o.userId': caller.id, 'o.status': 'delivered', 'i.productId': productId })
          .orderBy('o.deliveredAt', 'desc')
          .first('o.id');
        if (!order) throw forbidden('Only shoppers who received this product may review it.');
        const [row] = await trx('reviews').insert({ productId, userId: caller.id, orderId: order.id, rating, comment }).returning('*');
        // the product's rating follows every review
        await trx.raw(
          `update products set rating_count = r.n, rating_avg = r.avg
           from (select count(*) as n, coalesce(avg(rating), 0) as avg from reviews where product_id = ?) r where id = ?`,
          [productId, productId],
        );
        await enqueue(trx, 'catalog.product-changed', [{ productId }]);
        const user = await trx('users').where({ id: caller.id }).first('name');
        return toJson({ ...row, reviewerName: user.name });
      });
    } catch (err) {
      if (isUniqueViolation(err, 'reviews_product_id_user_id_unique')) throw conflict('You already reviewed this product.');
      throw err;
    }
  }

  async list(productId: string, page: number, pageSize: number) {
    const product = await this.db('products').where({ id: productId, status: 'active' }).first('ratingAvg', 'ratingCount');
    if (!product) throw notFound('product');
    const rows = await this.db('reviews as r')
      .join('users as u', 'u.id', 'r.userId')
      .where('r.productId', productId)
      .orderBy('r.createdAt', 'desc')
      .orderBy('r.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .select('r.id', 'r.rating', 'r.comment', 'r.createdAt', 'u.name as reviewerName');
    return {
      items: rows.map(toJson),
      total: product.ratingCount,
      page,
      pageSize,
      rating: { average: Math.round(product.ratingAvg * 100) / 100, count: product.ratingCount },
    };
  }
}

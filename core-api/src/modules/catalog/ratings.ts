import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { enqueue } from '../outbox/index.ts';
import { Product } from './models/product.ts';

export interface ProductRating {
  average: number;
  count: number;
}

/** A rating as shown: the average to two decimals. */
export const ratingJson = (average: number, count: number): components['schemas']['Rating'] => ({ average: Math.round(Number(average) * 100) / 100, count });

/**
 * Whether shoppers may review the product (it is not a draft), locking its row for the caller's
 * transaction so that concurrent reviews of one product count each other.
 */
export async function reviewableProduct(trx: Knex, productId: string): Promise<boolean> {
  const product = await Product.query(trx).findById(productId).whereNot({ status: 'draft' }).forUpdate().select('id');
  return product !== undefined;
}

/** An active product's rating as shown, or undefined when there is no such active product. */
export async function productRating(db: Knex, productId: string): Promise<components['schemas']['Rating'] | undefined> {
  const product = await Product.query(db).findOne({ id: productId, status: 'active' }).select('ratingAvg', 'ratingCount');
  return product && ratingJson(product.ratingAvg, product.ratingCount);
}

/** Keeps the product's rating (its reviews' count and average) and queues its search index update. */
export async function recordRating(trx: Knex, productId: string, rating: ProductRating): Promise<void> {
  await Product.query(trx).findById(productId).patch({ ratingCount: rating.count, ratingAvg: rating.average });
  await enqueue(trx, 'catalog.product-changed', [{ productId }]);
}

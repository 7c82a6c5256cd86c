import { Model } from 'objection';
import type { components } from '@pasar/openapi/schema';

export type ProductStatus = 'draft' | 'active' | 'archived';

export class Product extends Model {
  static tableName = 'products';
  static jsonAttributes = ['specifications', 'options'];

  id!: string;
  storeId!: string;
  categoryId!: string;
  title!: string;
  /** Unique per store. */
  slug!: string;
  description!: string;
  status!: ProductStatus;
  specifications!: components['schemas']['Specification'][];
  options!: components['schemas']['ProductOption'][];
  // kept by the catalog from the variants, sales and reviews, for listing and sorting
  priceMin!: number;
  priceMax!: number;
  soldCount!: number;
  ratingAvg!: number;
  ratingCount!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

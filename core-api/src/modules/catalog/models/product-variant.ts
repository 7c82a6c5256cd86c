import { Model } from 'objection';

export class ProductVariant extends Model {
  static tableName = 'product_variants';
  static jsonAttributes = ['options'];

  id!: string;
  productId!: string;
  storeId!: string;
  sku!: string;
  /** Option name -> value. */
  options!: Record<string, string>;
  price!: number;
  /** Inventory's column: moved only by its stock operations (a new variant's first stock aside). */
  stock!: number;
  lowStockThreshold!: number;
  position!: number;
  /** Removed by the seller but kept for the orders that name it. */
  archivedAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

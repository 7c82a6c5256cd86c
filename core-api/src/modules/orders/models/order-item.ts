import { Model } from 'objection';

/** A line of an order, with the title, options and price snapshotted at checkout. */
export class OrderItem extends Model {
  static tableName = 'order_items';
  static jsonAttributes = ['options'];

  id!: string;
  orderId!: string;
  variantId!: string;
  productId!: string;
  title!: string;
  options!: Record<string, string>;
  sku!: string;
  unitPrice!: number;
  quantity!: number;
  lineTotal!: number;
}

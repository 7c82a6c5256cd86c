import { Model } from 'objection';

export class Review extends Model {
  static tableName = 'reviews';

  id!: string;
  productId!: string;
  userId!: string;
  /** The delivered order that made the reviewer a buyer. */
  orderId!: string;
  rating!: number;
  comment!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

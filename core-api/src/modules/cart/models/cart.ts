import { Model } from 'objection';

/** A shopper's one cart, made on first use. */
export class Cart extends Model {
  static tableName = 'carts';

  id!: string;
  userId!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

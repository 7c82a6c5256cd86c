import { Model } from 'objection';

/** One line per variant, with the price the shopper saw when adding it. */
export class CartItem extends Model {
  static tableName = 'cart_items';

  id!: string;
  cartId!: string;
  variantId!: string;
  quantity!: number;
  unitPriceAtAdd!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

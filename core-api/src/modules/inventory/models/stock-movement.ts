import { Model } from 'objection';

export type StockReason = 'manual' | 'sale' | 'cancellation';

/** One change of a variant's stock: who, why, from what to what (and the order, for sales and cancellations). */
export class StockMovement extends Model {
  static tableName = 'stock_movements';

  id!: string;
  variantId!: string;
  actorId!: string | null;
  oldStock!: number;
  newStock!: number;
  reason!: StockReason;
  orderId!: string | null;
  createdAt!: Date;
}

import { Model } from 'objection';

/** A cancelled paid order's share going back: recorded pending, done once the gateway confirmed it. */
export class Refund extends Model {
  static tableName = 'refunds';

  id!: string;
  paymentId!: string;
  orderId!: string;
  amount!: number;
  status!: 'pending' | 'done';
  reference!: string | null;
  createdAt!: Date;
  doneAt!: Date | null;
}

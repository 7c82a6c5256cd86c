import { Model } from 'objection';
import type { OrderActor, OrderStatus } from '../state.ts';

/** One move of an order's status history. */
export class OrderEvent extends Model {
  static tableName = 'order_events';

  id!: string;
  orderId!: string;
  fromStatus!: OrderStatus | null;
  toStatus!: OrderStatus;
  actorId!: string | null;
  actorRole!: OrderActor;
  note!: string | null;
  createdAt!: Date;
}

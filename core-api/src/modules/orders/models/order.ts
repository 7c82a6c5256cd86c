import { Model } from 'objection';
import type { components } from '@pasar/openapi/schema';
import type { OrderStatus } from '../state.ts';

export class Order extends Model {
  static tableName = 'orders';
  static jsonAttributes = ['shippingAddress'];

  id!: string;
  checkoutId!: string;
  storeId!: string;
  userId!: string;
  number!: string;
  status!: OrderStatus;
  paymentStatus!: components['schemas']['PaymentStatus'];
  subtotal!: number;
  shippingCost!: number;
  total!: number;
  shippingAddress!: components['schemas']['ShippingAddress'];
  trackingNumber!: string | null;
  cancelReason!: string | null;
  placedAt!: Date;
  deliveredAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

import { Model } from 'objection';
import type { components } from '@pasar/openapi/schema';

/** One pay action of a shopper: its idempotency key, what was asked, and the first answer kept for replays. */
export class Checkout extends Model {
  static tableName = 'checkouts';
  static jsonAttributes = ['responseBody'];

  id!: string;
  userId!: string;
  idempotencyKey!: string;
  requestHash!: string;
  status!: 'processing' | 'completed';
  paymentMethod!: components['schemas']['PaymentMethod'];
  total!: number;
  responseStatus!: number | null;
  responseBody!: unknown;
  createdAt!: Date;
}

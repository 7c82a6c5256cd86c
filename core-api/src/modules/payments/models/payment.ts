import { Model } from 'objection';
import type { components } from '@pasar/openapi/schema';
import type { Locale } from '../instructions.ts';

/** A checkout's one payment: pending -> paid | failed | expired, and paid -> refunded | partially_refunded. */
export class Payment extends Model {
  static tableName = 'payments';

  id!: string;
  checkoutId!: string;
  method!: components['schemas']['PaymentMethod'];
  amount!: number;
  status!: components['schemas']['PaymentStatus'];
  refundedAmount!: number;
  reference!: string | null;
  virtualAccount!: string | null;
  expiresAt!: Date | null;
  locale!: Locale;
  paidAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

import { Model } from 'objection';

/** A gateway notification, by the provider's event id: a replay inserts nothing. */
export class PaymentEvent extends Model {
  static tableName = 'payment_events';
  static jsonAttributes = ['payload'];

  id!: string;
  paymentId!: string | null;
  type!: string;
  payload!: unknown;
  outcome!: string;
  receivedAt!: Date;
}

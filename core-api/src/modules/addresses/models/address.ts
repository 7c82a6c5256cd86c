import { Model } from 'objection';

/** A shopper's saved address; exactly one of a shopper's addresses is the default whenever any exist. */
export class Address extends Model {
  static tableName = 'addresses';

  id!: string;
  userId!: string;
  label!: string;
  recipient!: string;
  phone!: string;
  street!: string;
  cityCode!: string;
  postalCode!: string;
  isDefault!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

import { Model } from 'objection';

export class Store extends Model {
  static tableName = 'stores';

  id!: string;
  ownerId!: string;
  name!: string;
  slug!: string;
  location!: string;
  cityCode!: string | null;
  description!: string;
  timezone!: string;
  logoKey!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

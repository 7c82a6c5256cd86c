import { Model } from 'objection';

export class User extends Model {
  static tableName = 'users';

  id!: string;
  email!: string;
  passwordHash!: string;
  name!: string;
  role!: 'customer' | 'seller';
  locale!: 'id' | 'en';
  createdAt!: Date;
  updatedAt!: Date;
}

import { Model } from 'objection';

export class User extends Model {
  static tableName = 'users';

  id!: string;
  email!: string;
  passwordHash!: string;
  name!: string;
  role!: 'customer' | 'seller';
  locale!: 'id' | 'en';
  /** The user chose `locale` (it wins over Accept-Language). */
  localeChosen!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

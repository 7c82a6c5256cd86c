import { Model } from 'objection';

export class Category extends Model {
  static tableName = 'categories';

  id!: string;
  parentId!: string | null;
  slug!: string;
  nameId!: string;
  nameEn!: string;
  position!: number;
}

import { Model } from 'objection';

export class ProductImage extends Model {
  static tableName = 'product_images';

  id!: string;
  productId!: string;
  /** `media/<sha256>.<ext>`: content-addressed, so several rows may share one object. */
  objectKey!: string;
  thumbnailKey!: string;
  contentType!: 'image/jpeg' | 'image/png';
  sizeBytes!: number;
  width!: number;
  height!: number;
  position!: number;
  createdAt!: Date;
}

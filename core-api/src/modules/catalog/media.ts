import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { mediaUrl, type MediaUrls } from '../../domain/media.ts';

export { mediaUrl, type MediaUrls };

export interface ImageRow {
  id: string;
  productId: string;
  objectKey: string;
  thumbnailKey: string;
  width: number;
  height: number;
  position: number;
}

export function imageJson(urls: MediaUrls, image: ImageRow): components['schemas']['ProductImage'] {
  return {
    id: image.id,
    url: mediaUrl(urls, image.objectKey),
    thumbnailUrl: mediaUrl(urls, image.thumbnailKey),
    width: image.width,
    height: image.height,
  };
}

/**
 * A select column: the thumbnail of the product's first photo (by position, then age), or null, as
 * `thumbnail_key` (`thumbnailKey` in the row). `productId` names the product's id column, e.g. `p.id`.
 */
export function thumbnailKeyColumn(db: Knex, productId: string): Knex.Raw {
  return db.raw('(select i.thumbnail_key from product_images i where i.product_id = ?? order by i.position, i.created_at limit 1) as thumbnail_key', [productId]);
}

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

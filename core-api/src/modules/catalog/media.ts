import type { components } from '@pasar/openapi/schema';

export interface ImageRow {
  id: string;
  productId: string;
  objectKey: string;
  thumbnailKey: string;
  width: number;
  height: number;
  position: number;
}

/** Where photos are read from: the bucket's public URL (a CDN, MinIO) when set, else the API's /media route. */
export interface MediaUrls {
  publicUrl: string;
  s3PublicUrl?: string;
}

/** Object keys are `media/<sha256>.<ext>`, which is also their path under the API. */
export function mediaUrl(urls: MediaUrls, key: string): string {
  return urls.s3PublicUrl ? `${urls.s3PublicUrl}/${key}` : `${urls.publicUrl}/${key}`;
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

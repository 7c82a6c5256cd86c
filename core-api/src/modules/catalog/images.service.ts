import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import sharp from 'sharp';
import type { AuthUser } from '../../domain/caller.ts';
import { DomainError, invalid, malformed, notFound } from '../../domain/errors.ts';
import type { ObjectStorage } from '../../platform/storage/types.ts';
import { sellerStoreId } from '../accounts/index.ts';
import { enqueue } from '../outbox/index.ts';
import { imageJson, type MediaUrls } from './media.ts';
import { ProductImage } from './models/product-image.ts';
import type { ProductsService } from './products.service.ts';

/** Against decompression bombs: a small file may still claim a huge canvas. */
export const MAX_IMAGE_PIXELS = 40_000_000;
const MAX_EDGE = 2000;
const THUMBNAIL_EDGE = 400;
const MAX_IMAGES = 20;

export interface ProcessedImage {
  full: { body: Buffer; contentType: 'image/jpeg' | 'image/png'; ext: 'jpg' | 'png'; width: number; height: number };
  thumbnail: Buffer;
}

/**
 * Recognises JPEG and PNG by their bytes (never by name or Content-Type), refuses anything else
 * (415) and oversized canvases (422), and re-encodes: orientation applied, metadata dropped, at most
 * 2000 px a side, plus a 400 px square JPEG thumbnail for listings.
 */
export async function processImage(bytes: Buffer): Promise<ProcessedImage> {
  let format: string | undefined;
  let pixels = 0;
  try {
    // the header only: a canvas past sharp's own pixel limit must still be recognised (and refused as too large)
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    format = meta.format;
    pixels = (meta.width ?? 0) * (meta.height ?? 0);
  } catch {
    format = undefined;
  }
  if (format !== 'jpeg' && format !== 'png') {
    throw new DomainError('unsupported-media', 'The file is not a JPEG or PNG image.', { errors: [{ pointer: '/file', message: 'must be a JPEG or PNG image' }] });
  }
  if (pixels > MAX_IMAGE_PIXELS) {
    throw invalid(`The image is larger than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels.`, [{ pointer: '/file', message: 'has too many pixels' }]);
  }
  try {
    const pipeline = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).rotate().resize(MAX_EDGE, MAX_EDGE, { fit: 'inside', withoutEnlargement: true });
    const encoded = format === 'png' ? pipeline.png({ compressionLevel: 9 }) : pipeline.jpeg({ quality: 85, mozjpeg: true });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data).resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'cover' }).flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true }).toBuffer();
    return {
      full: { body: data, contentType: format === 'png' ? 'image/png' : 'image/jpeg', ext: format === 'png' ? 'png' : 'jpg', width: info.width, height: info.height },
      thumbnail,
    };
  } catch {
    throw invalid('The image could not be decoded.', [{ pointer: '/file', message: 'is not a readable image' }]);
  }
}

const contentKey = (body: Buffer, ext: string) => `media/${createHash('sha256').update(body).digest('hex')}.${ext}`;

export class ImagesService {
  private readonly db: Knex;
  private readonly storage: ObjectStorage;
  private readonly products: ProductsService;
  private readonly urls: MediaUrls;

  constructor(db: Knex, storage: ObjectStorage, products: ProductsService, urls: MediaUrls) {
    this.db = db;
    this.storage = storage;
    this.products = products;
    this.urls = urls;
  }

  async upload(caller: AuthUser, productId: string, bytes: Buffer | undefined) {
    const storeId = await sellerStoreId(this.db, caller);
    await this.products.ownProduct(this.db, storeId, productId);
    if (!bytes || bytes.length === 0) throw malformed('Send the photo as the multipart field `file`.', [{ pointer: '/file', message: 'is required' }]);
    const image = await processImage(bytes);
    const objectKey = contentKey(image.full.body, image.full.ext);
    const thumbnailKey = contentKey(image.thumbnail, 'jpg');
    // objects first: a row never points at a missing object (an orphaned object is harmless and content-addressed)
    await this.storage.put(objectKey, image.full.body, image.full.contentType);
    await this.storage.put(thumbnailKey, image.thumbnail, 'image/jpeg');
    const row = await this.db.transaction(async (trx) => {
      await this.products.ownProduct(trx, storeId, productId, true);
      const { count, max } = await trx('productImages')
        .where({ productId })
        .first<{ count: number; max: number | null }>(trx.raw('count(*) as count'), trx.raw('max(position) as max'));
      if (count >= MAX_IMAGES) throw invalid(`A product has at most ${MAX_IMAGES} photos.`, [{ pointer: '/file', message: 'is one photo too many' }]);
      const inserted = await ProductImage.query(trx)
        .insert({
          productId,
          objectKey,
          thumbnailKey,
          contentType: image.full.contentType,
          sizeBytes: image.full.body.length,
          width: image.full.width,
          height: image.full.height,
          position: (max ?? -1) + 1,
        })
        .returning('*');
      await enqueue(trx, 'catalog.product-changed', [{ productId }]);
      return inserted;
    });
    return imageJson(this.urls, row);
  }

  async remove(caller: AuthUser, productId: string, imageId: string): Promise<void> {
    const storeId = await sellerStoreId(this.db, caller);
    const removed = await this.db.transaction(async (trx) => {
      await this.products.ownProduct(trx, storeId, productId, true);
      const [row] = await ProductImage.query(trx).where({ id: imageId, productId }).delete().returning('*');
      if (!row) throw notFound('image');
      await enqueue(trx, 'catalog.product-changed', [{ productId }]);
      return row;
    });
    await this.deleteUnreferenced([removed.objectKey, removed.thumbnailKey]);
  }

  async reorder(caller: AuthUser, productId: string, imageIds: string[]) {
    const storeId = await sellerStoreId(this.db, caller);
    const rows = await this.db.transaction(async (trx) => {
      await this.products.ownProduct(trx, storeId, productId, true);
      const current = (await ProductImage.query(trx).where({ productId }).select('id')).map((i) => i.id);
      const same = current.length === imageIds.length && imageIds.every((id) => current.includes(id));
      if (!same) throw invalid('List every photo of the product exactly once.', [{ pointer: '/imageIds', message: 'must name each of the product\'s photos once' }]);
      for (const [position, id] of imageIds.entries()) await ProductImage.query(trx).findById(id).patch({ position });
      await enqueue(trx, 'catalog.product-changed', [{ productId }]);
      return ProductImage.query(trx).where({ productId }).orderBy('position');
    });
    return rows.map((r) => imageJson(this.urls, r));
  }

  /** Content-addressed objects may be shared by several rows: delete only what nothing points at any more. */
  async deleteUnreferenced(keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      const used = await ProductImage.query(this.db).where({ objectKey: key }).orWhere({ thumbnailKey: key }).select('id').first();
      if (!used) await this.storage.delete(key);
    }
  }
}

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuthUser } from '../../domain/caller.ts';
import { malformed } from '../../domain/errors.ts';
import type { ObjectStorage } from '../../platform/storage/types.ts';
import { sellerStoreId } from './seller-store.ts';
import type { AccountsService, StoreJson } from './service.ts';

/** Checks and re-encodes an uploaded image (the catalog's, given by the wiring), with its square thumbnail. */
export type ImageProcessor = (bytes: Buffer) => Promise<{ thumbnail: Buffer }>;

/** A store's logo: the seller's image, checked and cropped like a product photo's thumbnail. */
export class StoreLogoService {
  private readonly db: Knex;
  private readonly storage: ObjectStorage;
  private readonly accounts: AccountsService;
  private readonly processImage: ImageProcessor;

  constructor(db: Knex, storage: ObjectStorage, accounts: AccountsService, processImage: ImageProcessor) {
    this.db = db;
    this.storage = storage;
    this.accounts = accounts;
    this.processImage = processImage;
  }

  async upload(caller: AuthUser, bytes: Buffer | undefined): Promise<StoreJson> {
    if (!bytes || bytes.length === 0) throw malformed('Send the logo as the multipart field `file`.', [{ pointer: '/file', message: 'is required' }]);
    const storeId = await sellerStoreId(this.db, caller);
    const { thumbnail } = await this.processImage(bytes);
    const key = `media/${createHash('sha256').update(thumbnail).digest('hex')}.jpg`;
    // the object first: the row never points at a missing object (an orphan is harmless, content-addressed)
    await this.storage.put(key, thumbnail, 'image/jpeg');
    await this.db('stores').where({ id: storeId }).update({ logoKey: key, updatedAt: this.db.fn.now() });
    return this.accounts.myStore(caller);
  }

  async remove(caller: AuthUser): Promise<void> {
    const storeId = await sellerStoreId(this.db, caller);
    await this.db('stores').where({ id: storeId }).update({ logoKey: null, updatedAt: this.db.fn.now() });
  }
}

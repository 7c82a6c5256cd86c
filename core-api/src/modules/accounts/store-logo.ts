import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuthUser } from '../../http/handler.ts';
import { badRequest, notFound } from '../../http/problem.ts';
import type { ObjectStorage } from '../../platform/storage/types.ts';
import { processImage } from '../catalog/index.ts';
import type { AccountsService, StoreJson } from './service.ts';

/** A store's logo: the seller's image, checked and cropped like a product photo's thumbnail. */
export class StoreLogoService {
  private readonly db: Knex;
  private readonly storage: ObjectStorage;
  private readonly accounts: AccountsService;

  constructor(db: Knex, storage: ObjectStorage, accounts: AccountsService) {
    this.db = db;
    this.storage = storage;
    this.accounts = accounts;
  }

  async upload(caller: AuthUser, bytes: Buffer | undefined): Promise<StoreJson> {
    if (!bytes || bytes.length === 0) throw badRequest('Send the logo as the multipart field `file`.', [{ pointer: '/file', message: 'is required' }]);
    const store = await this.db('stores').where({ ownerId: caller.id }).first('id');
    if (!store) throw notFound('store');
    const { thumbnail } = await processImage(bytes);
    const key = `media/${createHash('sha256').update(thumbnail).digest('hex')}.jpg`;
    // the object first: the row never points at a missing object (an orphan is harmless, content-addressed)
    await this.storage.put(key, thumbnail, 'image/jpeg');
    await this.db('stores').where({ id: store.id }).update({ logoKey: key, updatedAt: this.db.fn.now() });
    return this.accounts.myStore(caller);
  }

  async remove(caller: AuthUser): Promise<void> {
    const changed = await this.db('stores').where({ ownerId: caller.id }).update({ logoKey: null, updatedAt: this.db.fn.now() });
    if (!changed) throw notFound('store');
  }
}

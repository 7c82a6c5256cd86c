import type { Knex } from 'knex';
import type { AuthUser } from '../../domain/caller.ts';
import { DomainError } from '../../domain/errors.ts';
import { Store } from './models/store.ts';

/**
 * The caller's store: every seller route is scoped to it. A seller without one (or a shopper) gets
 * the same 404 everywhere. Pass the caller's transaction to read it inside that transaction.
 */
export async function sellerStore(db: Knex, caller: AuthUser): Promise<Store> {
  const store = await Store.query(db).findOne({ ownerId: caller.id });
  if (!store) throw new DomainError('not-found', 'This seller has no store.');
  return store;
}

/** The caller's store id (see `sellerStore`). */
export async function sellerStoreId(db: Knex, caller: AuthUser): Promise<string> {
  const store = await Store.query(db).findOne({ ownerId: caller.id }).select('id');
  if (!store) throw new DomainError('not-found', 'This seller has no store.');
  return store.id;
}

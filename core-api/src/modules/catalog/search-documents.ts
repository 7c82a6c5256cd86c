import type { Knex } from 'knex';
import type { ProductDocument, SearchEngine, SearchIndexSource } from '../../platform/search/engine.ts';
import { productInStockSql } from '../inventory/index.ts';

interface DocumentRow {
  id: string;
  title: string;
  description: string;
  store_id: string;
  store_name: string;
  category_id: string;
  price_min: number;
  price_max: number;
  sold_count: number;
  rating_avg: number;
  created_at: number;
  in_stock: boolean;
  roots: string[];
  categories: { ids: string[]; names: string[] };
}

/** The search documents of active products (the others are absent from the result), in id order. */
export async function productDocuments(db: Knex, productIds?: string[], page?: { after: string | null; limit: number }): Promise<ProductDocument[]> {
  const { rows } = await db.raw<{ rows: DocumentRow[] }>(
    `
    select p.id, p.title, p.description, p.store_id, s.name as store_name, p.category_id,
      p.price_min, p.price_max, p.sold_count, p.rating_avg, cast(extract(epoch from p.created_at) as bigint) as created_at,
      ${productInStockSql('p')} as in_stock,
      array(select distinct pasar_word_root(w) from pasar_text_words(p.title || ' ' || p.description) w) as roots,
      (with recursive up as (
         select c.id, c.parent_id, c.name_id, c.name_en from categories c where c.id = p.category_id
         union all
         select c.id, c.parent_id, c.name_id, c.name_en from categories c join up on c.id = up.parent_id)
       select json_build_object('ids', json_agg(id), 'names', json_agg(name_id || ' / ' || name_en)) from up) as categories
    from products p join stores s on s.id = p.store_id
    where p.status = 'active'
      and (cast(:ids as uuid[]) is null or p.id = any(cast(:ids as uuid[])))
      and (cast(:after as uuid) is null or p.id > cast(:after as uuid))
    order by p.id
    limit :limit
    `,
    { ids: productIds ?? null, after: page?.after ?? null, limit: page?.limit ?? productIds?.length ?? 1000 },
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    storeId: r.store_id,
    storeName: r.store_name,
    categoryId: r.category_id,
    categoryIds: r.categories.ids,
    categoryNames: r.categories.names,
    price: Number(r.price_min),
    priceMax: Number(r.price_max),
    inStock: r.in_stock,
    soldCount: r.sold_count,
    ratingAvg: Number(r.rating_avg),
    createdAt: Number(r.created_at),
    roots: r.roots,
  }));
}

const BATCH = 1000;

/** The whole catalog as a search index is rebuilt from it. */
export function searchIndexSource(db: Knex): SearchIndexSource {
  return {
    async count() {
      const [{ count }] = await db('products').where({ status: 'active' }).count<Array<{ count: string }>>({ count: '*' });
      return Number(count);
    },
    async *batches() {
      let after: string | null = null;
      while (true) {
        const batch = await productDocuments(db, undefined, { after, limit: BATCH });
        if (batch.length === 0) return;
        yield batch;
        after = batch[batch.length - 1].id;
      }
    },
    // triggers keep search_vector current on every write; this repairs it (e.g. after its function changed)
    async refreshSearchColumns(trx) {
      const result = await trx.raw<{ rowCount: number }>(`update products set search_vector = pasar_product_search_vector(title, description, category_id, store_id)`);
      return result.rowCount;
    },
  };
}

/** Brings the search index up to date for these products: active ones in, the rest out. */
export async function syncSearchIndex(db: Knex, engine: SearchEngine, productIds: string[]): Promise<void> {
  const documents = productIds.length ? await productDocuments(db, productIds) : [];
  const present = new Set(documents.map((d) => d.id));
  await engine.sync(documents, productIds.filter((id) => !present.has(id)));
}

/** Rebuilds the whole search index from Postgres, the source of truth (`npm run reindex`). */
export async function rebuildSearchIndex(db: Knex, engine: SearchEngine, onProgress?: (done: number, total: number) => void): Promise<void> {
  await engine.rebuild(searchIndexSource(db), onProgress);
}

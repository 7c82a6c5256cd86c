import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { Meilisearch, type Index } from 'meilisearch';

export type ProductSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest' | 'popular' | 'rating';

export interface ProductSearch {
  q?: string;
  /** The category asked for; its descendants match too. */
  categoryId?: string;
  storeId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: ProductSort;
  page: number;
  pageSize: number;
}

export interface FacetCount {
  id: string;
  count: number;
}

export interface SearchResult {
  /** The page's product ids, in order. */
  ids: string[];
  total: number;
  facets: { categories: FacetCount[]; stores: FacetCount[] };
}

/** What a search index holds of an active product; built from Postgres, the source of truth. */
export interface ProductDocument {
  id: string;
  title: string;
  description: string;
  storeId: string;
  storeName: string;
  categoryId: string;
  /** The category and all its ancestors, so a parent category's filter finds it. */
  categoryIds: string[];
  categoryNames: string[];
  price: number;
  priceMax: number;
  inStock: boolean;
  soldCount: number;
  ratingAvg: number;
  createdAt: number;
}

/** Product search: Meilisearch when MEILI_URL is set, Postgres otherwise. Both pass one contract suite. */
export interface SearchEngine {
  readonly kind: 'meilisearch' | 'postgres';
  check(): Promise<void>;
  search(query: ProductSearch): Promise<SearchResult>;
  /** Brings the index up to date for these products (their documents, or removal when absent). */
  sync(productIds: string[]): Promise<void>;
  /** Rebuilds the whole index from Postgres, reporting progress as (done, total). */
  rebuild(onProgress?: (done: number, total: number) => void): Promise<void>;
}

/** Prefix-matching tsquery from free text: `kemeja bat` -> `kemeja:* & bat:*`. */
function prefixQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

const ORDER: Record<Exclude<ProductSort, 'relevance'>, string> = {
  price_asc: 'p.price_min asc, p.id',
  price_desc: 'p.price_min desc, p.id',
  newest: 'p.created_at desc, p.id',
  popular: 'p.sold_count desc, p.id',
  rating: 'p.rating_avg desc, p.rating_count desc, p.id',
};

/**
 * Minimum strict trigram word similarity for a title to match a mistyped word: `kemja` ~ `Kemeja`
 * (0.44) and `sepato` ~ `Sepatu` (0.56), but not `kemja` ~ `Kemiri` (0.3). Every database session
 * sets it as pg_trgm.strict_word_similarity_threshold, the threshold of the indexable `<<%`.
 */
export const TYPO_SIMILARITY = 0.4;

/** Whether the words match anything at all (evaluated once per query): typo matching is the fallback. */
const FULL_TEXT_FINDS = `exists (select 1 from products x where x.status = 'active' and cast(:tsquery as text) is not null
  and x.search_vector @@ to_tsquery('simple', cast(:tsquery as text)))`;

type FacetRow = { category_id: string | null; store_id: string | null; n: number };

/** How long a filter's facets and total are reused (the public catalog may be cached 60 s anyway). */
const FACET_TTL_MS = 30_000;

export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgres';
  private readonly db: Knex;
  private readonly facetCache: LRUCache<string, FacetRow[]>;

  constructor(db: Knex, facetTtlMs = FACET_TTL_MS) {
    this.db = db;
    this.facetCache = new LRUCache({ max: 1000, ttl: Math.max(1, facetTtlMs) });
  }

  async check(): Promise<void> {
    const row = await this.db('pg_extension').where({ extname: 'pg_trgm' }).first();
    if (!row) throw new Error('pg_trgm extension is not installed');
  }

  /**
   * Facets and the total depend on the filters, not on the page or the sort: they are counted in one
   * aggregate pass (grouping sets) and kept for FACET_TTL_MS, which the catalog's public caching
   * (max-age 60) already allows. The page itself is one ordered, limited query that indexes serve.
   * Words match the full-text index (prefixes too); only when nothing does, typos match through the
   * trigram index (`<<%`, strict word similarity; threshold set per session).
   */
  async search(query: ProductSearch): Promise<SearchResult> {
    const q = query.q?.trim() || null;
    const tsquery = q ? prefixQuery(q) : null;
    const sort = query.sort === 'relevance' && !q ? 'newest' : query.sort;
    const order =
      sort === 'relevance'
        ? `case when ${FULL_TEXT_FINDS} then ts_rank(p.search_vector, to_tsquery('simple', cast(:tsquery as text)))
                else strict_word_similarity(cast(:q as text), p.title) end desc, p.id`
        : ORDER[sort];
    const filters = {
      q,
      tsquery,
      categoryId: query.categoryId ?? null,
      storeId: query.storeId ?? null,
      minPrice: query.minPrice ?? null,
      maxPrice: query.maxPrice ?? null,
      inStock: query.inStock ?? null,
    };
    const matches = `with recursive wanted_categories as (
        select id from categories where id = :categoryId
        union all
        select c.id from categories c join wanted_categories w on c.parent_id = w.id
      )
      select %COLUMNS% from products p
      where p.status = 'active'
        and (cast(:q as text) is null
             or (cast(:tsquery as text) is not null and p.search_vector @@ to_tsquery('simple', cast(:tsquery as text)))
             or (not ${FULL_TEXT_FINDS} and cast(:q as text) <<% p.title))
        and (cast(:categoryId as uuid) is null or p.category_id in (select id from wanted_categories))
        and (cast(:storeId as uuid) is null or p.store_id = cast(:storeId as uuid))
        and (cast(:minPrice as bigint) is null or p.price_max >= cast(:minPrice as bigint))
        and (cast(:maxPrice as bigint) is null or p.price_min <= cast(:maxPrice as bigint))
        and (cast(:inStock as boolean) is null or cast(:inStock as boolean) = exists (
              select 1 from product_variants v where v.product_id = p.id and v.archived_at is null and v.stock > 0))`;

    const key = JSON.stringify(filters);
    let counts = this.facetCache.get(key);
    const page = this.db.raw(matches.replace('%COLUMNS%', 'p.id') + ` order by ${order} limit :limit offset :offset`, {
      ...filters,
      limit: query.pageSize,
      offset: (query.page - 1) * query.pageSize,
    });
    const aggregate = counts
      ? undefined
      : this.db.raw(
          matches.replace('%COLUMNS%', 'p.category_id, p.store_id, cast(count(*) as int) as n') + ' group by grouping sets ((p.category_id), (p.store_id), ())',
          filters,
        );
    const [pageRows, aggregateRows] = await Promise.all([page, aggregate]);
    if (!counts) {
      counts = aggregateRows!.rows as FacetRow[];
      this.facetCache.set(key, counts);
    }
    const byCount = (a: FacetCount, b: FacetCount) => b.count - a.count || a.id.localeCompare(b.id);
    return {
      ids: (pageRows.rows as Array<{ id: string }>).map((r) => r.id),
      total: counts.find((c) => c.category_id === null && c.store_id === null)?.n ?? 0,
      facets: {
        categories: counts.filter((c) => c.category_id !== null).map((c) => ({ id: c.category_id!, count: c.n })).sort(byCount),
        stores: counts.filter((c) => c.store_id !== null).map((c) => ({ id: c.store_id!, count: c.n })).sort(byCount),
      },
    };
  }

  /** Postgres reads the products themselves (search_vector is kept by triggers); only cached facets go stale. */
  async sync(): Promise<void> {
    this.facetCache.clear();
  }

  async rebuild(onProgress?: (done: number, total: number) => void): Promise<void> {
    this.facetCache.clear();
    const updated = await this.db.raw(
      `update products set search_vector = pasar_product_search_vector(title, description, category_id, store_id)`,
    );
    onProgress?.(updated.rowCount, updated.rowCount);
  }
}

/** Loads index documents for active products from Postgres (the others are absent from the result). */
export async function loadProductDocuments(db: Knex, productIds?: string[], page?: { after: string | null; limit: number }): Promise<ProductDocument[]> {
  const { rows } = await db.raw(
    `
    select p.id, p.title, p.description, p.store_id, s.name as store_name, p.category_id,
      p.price_min, p.price_max, p.sold_count, p.rating_avg, cast(extract(epoch from p.created_at) as bigint) as created_at,
      exists (select 1 from product_variants v where v.product_id = p.id and v.archived_at is null and v.stock > 0) as in_stock,
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
  return (rows as Array<Record<string, any>>).map((r) => ({
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
  }));
}

const MEILI_SORT: Record<Exclude<ProductSort, 'relevance'>, string[]> = {
  price_asc: ['price:asc'],
  price_desc: ['price:desc'],
  newest: ['createdAt:desc'],
  popular: ['soldCount:desc'],
  rating: ['ratingAvg:desc'],
};

const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export class MeiliSearchEngine implements SearchEngine {
  readonly kind = 'meilisearch';
  readonly client: Meilisearch;
  private readonly db: Knex;
  private readonly index: Index<ProductDocument>;
  private settingsApplied = false;

  constructor(db: Knex, url: string, apiKey?: string, indexName = 'products') {
    this.db = db;
    this.client = new Meilisearch({ host: url, apiKey });
    this.index = this.client.index<ProductDocument>(indexName);
  }

  async check(): Promise<void> {
    await this.client.health();
  }

  /** Searchable, filterable and sortable attributes; typo tolerance is Meilisearch's default. */
  private async ensureSettings(): Promise<void> {
    if (this.settingsApplied) return;
    await this.client.createIndex(this.index.uid, { primaryKey: 'id' }).waitTask().catch(() => undefined);
    await this.index
      .updateSettings({
        searchableAttributes: ['title', 'categoryNames', 'storeName', 'description'],
        filterableAttributes: ['categoryIds', 'categoryId', 'storeId', 'price', 'priceMax', 'inStock'],
        sortableAttributes: ['price', 'createdAt', 'soldCount', 'ratingAvg'],
        rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
      })
      .waitTask();
    this.settingsApplied = true;
  }

  async search(query: ProductSearch): Promise<SearchResult> {
    await this.ensureSettings();
    const filter: string[] = [];
    if (query.categoryId) filter.push(`categoryIds = ${quote(query.categoryId)}`);
    if (query.storeId) filter.push(`storeId = ${quote(query.storeId)}`);
    if (query.minPrice !== undefined) filter.push(`priceMax >= ${query.minPrice}`);
    if (query.maxPrice !== undefined) filter.push(`price <= ${query.maxPrice}`);
    if (query.inStock !== undefined) filter.push(`inStock = ${query.inStock}`);
    const q = query.q?.trim() ?? '';
    const sort = query.sort === 'relevance' ? (q ? undefined : MEILI_SORT.newest) : MEILI_SORT[query.sort];
    const result = await this.index.search(q, {
      filter,
      sort,
      facets: ['categoryId', 'storeId'],
      page: query.page,
      hitsPerPage: query.pageSize,
      attributesToRetrieve: ['id'],
    });
    const facet = (name: string): FacetCount[] =>
      Object.entries(result.facetDistribution?.[name] ?? {})
        .map(([id, count]) => ({ id, count }))
        .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
    return {
      ids: result.hits.map((h) => h.id),
      total: result.totalHits ?? 0,
      facets: { categories: facet('categoryId'), stores: facet('storeId') },
    };
  }

  async sync(productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.ensureSettings();
    const documents = await loadProductDocuments(this.db, productIds);
    const present = new Set(documents.map((d) => d.id));
    const gone = productIds.filter((id) => !present.has(id));
    if (documents.length) await this.index.addDocuments(documents).waitTask();
    if (gone.length) await this.index.deleteDocuments(gone).waitTask();
  }

  async rebuild(onProgress?: (done: number, total: number) => void): Promise<void> {
    await this.ensureSettings();
    await this.index.deleteAllDocuments().waitTask();
    const [{ count }] = await this.db('products').where({ status: 'active' }).count<{ count: string }[]>({ count: '*' });
    const total = Number(count);
    let done = 0;
    let after: string | null = null;
    while (true) {
      const batch = await loadProductDocuments(this.db, undefined, { after, limit: 1000 });
      if (batch.length === 0) break;
      await this.index.addDocuments(batch).waitTask();
      done += batch.length;
      after = batch[batch.length - 1].id;
      onProgress?.(done, total);
    }
  }
}

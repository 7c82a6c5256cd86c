import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { components } from '@pasar/openapi/schema';
import { conflict, notFound } from '../../domain/errors.ts';
import { countThenPage } from '../../domain/paging.ts';
import { containing } from '../../domain/text.ts';
import type { ProductSearch, SearchEngine, SearchResult } from '../../platform/search/engine.ts';
import { imageJson, mediaUrl, thumbnailKeyColumn, type ImageRow, type MediaUrls } from './media.ts';
import type { Product } from './models/product.ts';
import { inStock, productInStockSql } from '../inventory/index.ts';
import { ratingJson } from './ratings.ts';

type Schemas = components['schemas'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A variant's option values in the order of the product's options (jsonb keeps its own key order). */
export function orderedOptions(values: Record<string, string>, options: Array<{ name: string }>): Record<string, string> {
  const ordered: Record<string, string> = {};
  for (const { name } of options) if (name in values) ordered[name] = values[name];
  for (const [name, value] of Object.entries(values)) if (!(name in ordered)) ordered[name] = value;
  return ordered;
}

/** A store as a product card or detail names it. */
interface StoreColumns {
  storeId: string;
  storeName: string;
  storeSlug: string;
  storeLocation: string;
  storeCityCode: string | null;
}

const storeSummary = (r: StoreColumns): Schemas['StoreSummary'] => ({
  id: r.storeId,
  name: r.storeName,
  slug: r.storeSlug,
  location: r.storeLocation,
  cityCode: r.storeCityCode,
});

interface CardRow extends StoreColumns {
  id: string;
  slug: string;
  title: string;
  priceMin: number;
  priceMax: number;
  soldCount: number;
  ratingAvg: number;
  ratingCount: number;
  thumbnailKey: string | null;
  inStock: boolean;
}

type ProductColumns = Pick<
  Product,
  'id' | 'slug' | 'title' | 'description' | 'categoryId' | 'specifications' | 'options' | 'priceMin' | 'priceMax' | 'soldCount' | 'ratingAvg' | 'ratingCount' | 'createdAt'
>;

interface DetailRow extends ProductColumns, StoreColumns {
  categorySlug: string;
  categoryNameId: string;
  categoryNameEn: string;
  categoryParentId: string | null;
  categoryPosition: number;
  variantList: Array<{ id: string; options: Record<string, string>; price: number; stock: number }>;
  imageList: ImageRow[];
}

interface StoreRow {
  id: string;
  name: string;
  slug: string;
  location: string;
  cityCode: string | null;
  provinceCode: string | null;
  province: string | null;
  description: string;
  logoKey: string | null;
  createdAt: Date;
  productCount: number;
  ratingCount: number;
  ratingAvg: number;
}

/** The public catalog, as shoppers and partners read it: active products only, in a bounded number of queries. */
export class PublicCatalog {
  private readonly db: Knex;
  private readonly search: SearchEngine;
  private readonly urls: MediaUrls;
  private readonly names = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });
  /**
   * Named facets per search answer and language: an engine that answers a filter with the same facets
   * while it keeps their counts (Postgres) has them named once, for at most as long as a name is kept.
   */
  private readonly namedFacets = new WeakMap<SearchResult['facets'], Partial<Record<'id' | 'en', { value: Schemas['ProductPage']['facets']; until: number }>>>();

  constructor(db: Knex, search: SearchEngine, urls: MediaUrls) {
    this.db = db;
    this.search = search;
    this.urls = urls;
  }

  /** One search (ids, total, facets) and one query for the cards, whatever the page size. */
  async listProducts(query: ProductSearch, locale: 'id' | 'en' = 'id'): Promise<Schemas['ProductPage']> {
    const result = await this.search.search(query);
    const [items, facets] = await Promise.all([this.cards(result.ids), this.facetsNamed(result.facets, locale)]);
    return { items, total: result.total, page: query.page, pageSize: query.pageSize, facets };
  }

  private async facetsNamed(facets: SearchResult['facets'], locale: 'id' | 'en'): Promise<Schemas['ProductPage']['facets']> {
    const known = this.namedFacets.get(facets)?.[locale];
    if (known && known.until > Date.now()) return known.value;
    const names = await this.facetNames(facets, locale);
    // kept no longer than the oldest of its names would be
    const until = Date.now() + Math.min(60_000, ...[...names.keys()].map((id) => this.names.getRemainingTTL(`${locale}:${id}`)));
    const named = (list: Array<{ id: string; count: number }>) => list.filter((f) => names.has(f.id)).map((f) => ({ id: f.id, name: names.get(f.id)!, count: f.count }));
    const value = { categories: named(facets.categories), stores: named(facets.stores) };
    this.namedFacets.set(facets, { ...this.namedFacets.get(facets), [locale]: { value, until } });
    return value;
  }

  /**
   * The facets' names, categories in the caller's language and stores by name: one query for those
   * not seen within a minute (the public catalog may be cached that long anyway).
   */
  private async facetNames(facets: { categories: Array<{ id: string }>; stores: Array<{ id: string }> }, locale: 'id' | 'en'): Promise<Map<string, string>> {
    const key = (id: string) => `${locale}:${id}`;
    const names = new Map<string, string>();
    // one look-up per facet: the known names are taken at once, the others asked for
    const missing = (list: Array<{ id: string }>) =>
      list.flatMap((f) => {
        const name = this.names.get(key(f.id));
        if (name === undefined) return [f.id];
        names.set(f.id, name);
        return [];
      });
    const [categories, stores] = [missing(facets.categories), missing(facets.stores)];
    if (categories.length + stores.length > 0) {
      const { rows } = await this.db.raw<{ rows: Array<{ id: string; name: string }> }>(
        `select id, ${locale === 'en' ? 'name_en' : 'name_id'} as name from categories where id = any(cast(? as uuid[]))
         union all select id, name from stores where id = any(cast(? as uuid[]))`,
        [categories, stores],
      );
      for (const r of rows) {
        this.names.set(key(r.id), r.name);
        names.set(r.id, r.name);
      }
    }
    return names;
  }

  private async cards(ids: string[]): Promise<Schemas['ProductCard'][]> {
    if (ids.length === 0) return [];
    // one statement text whatever the page size, prepared once per connection (a search page's only
    // statement once its ranking and facets are kept: planning it each time cost as much as running it)
    const rows = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .whereRaw('p.id = any(cast(? as uuid[]))', [ids])
      .where('p.status', 'active')
      .options({ name: 'catalog-cards' })
      .select<CardRow[]>(
        'p.id', 'p.slug', 'p.title', 'p.priceMin', 'p.priceMax', 'p.soldCount', 'p.ratingAvg', 'p.ratingCount',
        's.id as storeId', 's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
        thumbnailKeyColumn(this.db, 'p.id'),
        this.db.raw(`${productInStockSql('p')} as in_stock`),
      );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      return [{
        id: r.id,
        slug: r.slug,
        title: r.title,
        price: r.priceMin,
        priceMax: r.priceMax,
        thumbnailUrl: r.thumbnailKey ? mediaUrl(this.urls, r.thumbnailKey) : null,
        store: storeSummary(r),
        rating: ratingJson(r.ratingAvg, r.ratingCount),
        soldCount: r.soldCount,
        inStock: r.inStock,
      }];
    });
  }

  /** An active product by id or slug, in one read: variants and photos come along as JSON. Counts nothing. */
  async productDetail(idOrSlug: string, store?: string): Promise<Schemas['ProductDetail']> {
    const id = UUID.test(idOrSlug) ? idOrSlug : await this.productIdBySlug(idOrSlug, store);
    const product = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .join('categories as c', 'c.id', 'p.categoryId')
      .where({ 'p.id': id, 'p.status': 'active' })
      .first<DetailRow | undefined>(
        'p.*',
        's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
        'c.slug as categorySlug', 'c.nameId as categoryNameId', 'c.nameEn as categoryNameEn', 'c.parentId as categoryParentId', 'c.position as categoryPosition',
        this.db.raw(`coalesce((select json_agg(json_build_object('id', v.id, 'options', v.options, 'price', v.price, 'stock', v.stock) order by v.position, v.id)
           from product_variants v where v.product_id = p.id and v.archived_at is null), '[]') as variant_list`),
        this.db.raw(`coalesce((select json_agg(json_build_object('id', i.id, 'objectKey', i.object_key, 'thumbnailKey', i.thumbnail_key, 'width', i.width, 'height', i.height) order by i.position, i.created_at)
           from product_images i where i.product_id = p.id), '[]') as image_list`),
      );
    if (!product) throw notFound('product');
    const variants = product.variantList;
    return {
      id: product.id,
      slug: product.slug,
      title: product.title,
      description: product.description,
      category: {
        id: product.categoryId,
        slug: product.categorySlug,
        nameId: product.categoryNameId,
        nameEn: product.categoryNameEn,
        parentId: product.categoryParentId,
        position: product.categoryPosition,
      },
      store: storeSummary(product),
      specifications: product.specifications,
      options: product.options,
      variants: variants.map((v) => ({ id: v.id, options: orderedOptions(v.options, product.options), price: v.price, stock: v.stock, inStock: inStock(v.stock) })),
      images: product.imageList.map((i) => imageJson(this.urls, i)),
      price: product.priceMin,
      priceMax: product.priceMax,
      rating: ratingJson(product.ratingAvg, product.ratingCount),
      soldCount: product.soldCount,
      inStock: variants.some((v) => inStock(v.stock)),
      createdAt: product.createdAt.toISOString(),
    };
  }

  /** Slugs are unique per store: a slug of several stores' products needs the store. */
  private async productIdBySlug(slug: string, store?: string): Promise<string> {
    const rows = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .where({ 'p.slug': slug, 'p.status': 'active' })
      .modify((q) => (store ? q.where(UUID.test(store) ? 's.id' : 's.slug', store) : q))
      .orderBy('s.slug')
      .select<Array<{ id: string; storeSlug: string }>>('p.id', 's.slug as storeSlug');
    if (rows.length === 0) throw notFound('product');
    if (rows.length > 1) {
      throw conflict(`Several stores sell a product called "${slug}": ${rows.map((r) => r.storeSlug).join(', ')}. Add ?store= to choose.`, {
        errors: [{ parameter: 'store', message: `must name one of ${rows.map((r) => r.storeSlug).join(', ')}` }],
      });
    }
    return rows[0].id;
  }

  async listStores(query: { q?: string; cityCode?: string; provinceCode?: string; page: number; pageSize: number }) {
    const stores = this.db('stores as s')
      .leftJoin('regions as city', 'city.code', 's.cityCode')
      .modify((q) => {
        if (query.q) q.whereILike('s.name', containing(query.q));
        if (query.cityCode) q.where('s.cityCode', query.cityCode);
        if (query.provinceCode) q.where('city.parentCode', query.provinceCode);
      });
    const page = await countThenPage(stores, query, (page) => this.withStoreColumns(page).orderBy([{ column: 's.name' }, { column: 's.id' }]));
    return { ...page, items: page.items.map((store) => publicStore(store, this.urls)) };
  }

  async getStore(idOrSlug: string): Promise<Schemas['PublicStore']> {
    const [store] = await this.withStoreColumns(this.db('stores as s').leftJoin('regions as city', 'city.code', 's.cityCode')).where(UUID.test(idOrSlug) ? 's.id' : 's.slug', idOrSlug);
    if (!store) throw notFound('store');
    return publicStore(store, this.urls);
  }

  /** To `stores as s` joined with `regions as city`: the province, active product count and rating, in the same query. */
  private withStoreColumns(stores: Knex.QueryBuilder) {
    return stores
      .leftJoin('regions as province', 'province.code', 'city.parentCode')
      .select<StoreRow[]>(
        's.id', 's.name', 's.slug', 's.location', 's.cityCode', 'province.code as provinceCode', 'province.name as province', 's.description', 's.logoKey', 's.createdAt',
        this.db.raw(`(select count(*) from products p where p.store_id = s.id and p.status = 'active')::int as product_count`),
        this.db.raw(`(select coalesce(sum(p.rating_count), 0) from products p where p.store_id = s.id)::int as rating_count`),
        this.db.raw(
          `(select coalesce(sum(p.rating_avg * p.rating_count) / nullif(sum(p.rating_count), 0), 0) from products p where p.store_id = s.id)::float as rating_avg`,
        ),
      );
  }
}

function publicStore(store: StoreRow, urls: MediaUrls): Schemas['PublicStore'] {
  return {
    id: store.id,
    name: store.name,
    slug: store.slug,
    location: store.location,
    cityCode: store.cityCode,
    province: store.province,
    provinceCode: store.provinceCode,
    description: store.description,
    ...(store.logoKey ? { logoUrl: mediaUrl(urls, store.logoKey) } : {}),
    memberSince: store.createdAt.toISOString(),
    productCount: store.productCount,
    rating: ratingJson(store.ratingAvg, store.ratingCount),
  };
}

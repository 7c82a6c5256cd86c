import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { components } from '@pasar/openapi/schema';
import { conflict, notFound } from '../../http/problem.ts';
import type { ProductSearch, SearchEngine } from '../../platform/search/engine.ts';
import { imageJson, mediaUrl, type ImageRow, type MediaUrls } from './media.ts';
import { inStock, productInStockSql } from '../inventory/index.ts';

type Schemas = components['schemas'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A variant's option values in the order of the product's options (jsonb keeps its own key order). */
export function orderedOptions(values: Record<string, string>, options: Array<{ name: string }>): Record<string, string> {
  const ordered: Record<string, string> = {};
  for (const { name } of options) if (name in values) ordered[name] = values[name];
  for (const [name, value] of Object.entries(values)) if (!(name in ordered)) ordered[name] = value;
  return ordered;
}

const rating = (average: number, count: number): Schemas['Rating'] => ({ average: Math.round(Number(average) * 100) / 100, count });

/** What shoppers and partners read: active products only, in a bounded number of queries. */
export class StorefrontService {
  private readonly db: Knex;
  private readonly search: SearchEngine;
  private readonly urls: MediaUrls;
  private readonly names = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });

  constructor(db: Knex, search: SearchEngine, urls: MediaUrls) {
    this.db = db;
    this.search = search;
    this.urls = urls;
  }

  /** One search (ids, total, facets) and one query for the cards, whatever the page size. */
  async listProducts(query: ProductSearch, locale: 'id' | 'en' = 'id'): Promise<Schemas['ProductPage']> {
    const result = await this.search.search(query);
    const [items, names] = await Promise.all([this.cards(result.ids), this.facetNames(result.facets, locale)]);
    const named = (facets: Array<{ id: string; count: number }>, names: Map<string, string>) =>
      facets.filter((f) => names.has(f.id)).map((f) => ({ id: f.id, name: names.get(f.id)!, count: f.count }));
    return {
      items,
      total: result.total,
      page: query.page,
      pageSize: query.pageSize,
      facets: { categories: named(result.facets.categories, names), stores: named(result.facets.stores, names) },
    };
  }

  /**
   * The facets' names, categories in the caller's language and stores by name: one query for those
   * not seen within a minute (the public catalog may be cached that long anyway).
   */
  private async facetNames(facets: { categories: Array<{ id: string }>; stores: Array<{ id: string }> }, locale: 'id' | 'en'): Promise<Map<string, string>> {
    const key = (id: string) => `${locale}:${id}`;
    const missing = (list: Array<{ id: string }>) => list.map((f) => f.id).filter((id) => !this.names.has(key(id)));
    const [categories, stores] = [missing(facets.categories), missing(facets.stores)];
    if (categories.length + stores.length > 0) {
      const { rows } = await this.db.raw(
        `select id, ${locale === 'en' ? 'name_en' : 'name_id'} as name from categories where id = any(cast(? as uuid[]))
         union all select id, name from stores where id = any(cast(? as uuid[]))`,
        [categories, stores],
      );
      for (const r of rows as Array<{ id: string; name: string }>) this.names.set(key(r.id), r.name);
    }
    const names = new Map<string, string>();
    for (const f of [...facets.categories, ...facets.stores]) {
      const name = this.names.get(key(f.id));
      if (name !== undefined) names.set(f.id, name);
    }
    return names;
  }

  private async cards(ids: string[]): Promise<Schemas['ProductCard'][]> {
    if (ids.length === 0) return [];
    const rows = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .whereIn('p.id', ids)
      .where('p.status', 'active')
      .select(
        'p.id', 'p.slug', 'p.title', 'p.priceMin', 'p.priceMax', 'p.soldCount', 'p.ratingAvg', 'p.ratingCount',
        's.id as storeId', 's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
        this.db.raw('(select i.thumbnail_key from product_images i where i.product_id = p.id order by i.position, i.created_at limit 1) as thumbnail_key'),
        this.db.raw(`${productInStockSql('p')} as in_stock`),
      );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.filter((id) => byId.has(id)).map((id) => {
      const r = byId.get(id);
      return {
        id: r.id,
        slug: r.slug,
        title: r.title,
        price: r.priceMin,
        priceMax: r.priceMax,
        thumbnailUrl: r.thumbnailKey ? mediaUrl(this.urls, r.thumbnailKey) : null,
        store: { id: r.storeId, name: r.storeName, slug: r.storeSlug, location: r.storeLocation, cityCode: r.storeCityCode },
        rating: rating(r.ratingAvg, r.ratingCount),
        soldCount: r.soldCount,
        inStock: r.inStock,
      };
    });
  }

  /** One read: variants and photos come along as JSON. */
  async getProduct(idOrSlug: string, store?: string): Promise<Schemas['ProductDetail']> {
    const id = UUID.test(idOrSlug) ? idOrSlug : await this.productIdBySlug(idOrSlug, store);
    const product = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .join('categories as c', 'c.id', 'p.categoryId')
      .where({ 'p.id': id, 'p.status': 'active' })
      .first(
        'p.*',
        's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
        'c.slug as categorySlug', 'c.nameId as categoryNameId', 'c.nameEn as categoryNameEn', 'c.parentId as categoryParentId', 'c.position as categoryPosition',
        this.db.raw(`coalesce((select json_agg(json_build_object('id', v.id, 'options', v.options, 'price', v.price, 'stock', v.stock) order by v.position, v.id)
           from product_variants v where v.product_id = p.id and v.archived_at is null), '[]') as variant_list`),
        this.db.raw(`coalesce((select json_agg(json_build_object('id', i.id, 'objectKey', i.object_key, 'thumbnailKey', i.thumbnail_key, 'width', i.width, 'height', i.height) order by i.position, i.created_at)
           from product_images i where i.product_id = p.id), '[]') as image_list`),
      );
    if (!product) throw notFound('product');
    const variants: Array<{ id: string; options: Record<string, string>; price: number; stock: number }> = product.variantList;
    const images: ImageRow[] = product.imageList;
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
      store: { id: product.storeId, name: product.storeName, slug: product.storeSlug, location: product.storeLocation, cityCode: product.storeCityCode },
      specifications: product.specifications,
      options: product.options,
      variants: variants.map((v) => ({ id: v.id, options: orderedOptions(v.options, product.options), price: v.price, stock: v.stock, inStock: inStock(v.stock) })),
      images: images.map((i) => imageJson(this.urls, i)),
      price: product.priceMin,
      priceMax: product.priceMax,
      rating: rating(product.ratingAvg, product.ratingCount),
      soldCount: product.soldCount,
      inStock: variants.some((v) => inStock(v.stock)),
      createdAt: product.createdAt.toISOString(),
    };
  }

  /** Slugs are unique per store: a slug of several stores' products needs the store. */
  private async productIdBySlug(slug: string, store?: string): Promise<string> {
    const rows: Array<{ id: string; storeSlug: string }> = await this.db('products as p')
      .join('stores as s', 's.id', 'p.storeId')
      .where({ 'p.slug': slug, 'p.status': 'active' })
      .modify((q) => (store ? q.where(UUID.test(store) ? 's.id' : 's.slug', store) : q))
      .orderBy('s.slug')
      .select('p.id', 's.slug as storeSlug');
    if (rows.length === 0) throw notFound('product');
    if (rows.length > 1) {
      throw conflict(`Several stores sell a product called "${slug}": ${rows.map((r) => r.storeSlug).join(', ')}. Add ?store= to choose.`, [
        { parameter: 'store', message: `must name one of ${rows.map((r) => r.storeSlug).join(', ')}` },
      ]);
    }
    return rows[0].id;
  }

  async listStores(query: { q?: string; cityCode?: string; provinceCode?: string; page: number; pageSize: number }) {
    const filter = (q: Knex.QueryBuilder) => {
      if (query.q) q.whereILike('s.name', `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      if (query.cityCode) q.where('s.cityCode', query.cityCode);
      if (query.provinceCode) q.where('city.parentCode', query.provinceCode);
    };
    const [[{ total }], rows] = await Promise.all([
      this.db('stores as s').leftJoin('regions as city', 'city.code', 's.cityCode').modify(filter).count({ total: '*' }),
      this.stores().modify(filter).orderBy([{ column: 's.name' }, { column: 's.id' }]).offset((query.page - 1) * query.pageSize).limit(query.pageSize),
    ]);
    return { items: rows.map(publicStore), total: Number(total), page: query.page, pageSize: query.pageSize };
  }

  async getStore(idOrSlug: string): Promise<Schemas['PublicStore']> {
    const [store] = await this.stores().where(UUID.test(idOrSlug) ? 's.id' : 's.slug', idOrSlug);
    if (!store) throw notFound('store');
    return publicStore(store);
  }

  /** Stores with their region names, active product count and rating, in one query. */
  private stores(): Knex.QueryBuilder {
    return this.db('stores as s')
      .leftJoin('regions as city', 'city.code', 's.cityCode')
      .leftJoin('regions as province', 'province.code', 'city.parentCode')
      .select(
        's.id', 's.name', 's.slug', 's.location', 's.cityCode', 'province.code as provinceCode', 'province.name as province', 's.description', 's.createdAt',
        this.db.raw(`(select count(*) from products p where p.store_id = s.id and p.status = 'active')::int as product_count`),
        this.db.raw(`(select coalesce(sum(p.rating_count), 0) from products p where p.store_id = s.id)::int as rating_count`),
        this.db.raw(
          `(select coalesce(sum(p.rating_avg * p.rating_count) / nullif(sum(p.rating_count), 0), 0) from products p where p.store_id = s.id)::float as rating_avg`,
        ),
      );
  }
}

function publicStore(store: any): Schemas['PublicStore'] {
  return {
    id: store.id,
    name: store.name,
    slug: store.slug,
    location: store.location,
    cityCode: store.cityCode,
    province: store.province,
    provinceCode: store.provinceCode,
    description: store.description,
    memberSince: store.createdAt.toISOString(),
    productCount: store.productCount,
    rating: rating(store.ratingAvg, store.ratingCount),
  };
}

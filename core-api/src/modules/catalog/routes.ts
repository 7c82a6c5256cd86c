import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { Handlers } from '../../http/handler.ts';
import { takeUpload } from '../../http/multipart.ts';
import { notFound } from '../../domain/errors.ts';
import type { ObjectStorage } from '../../platform/storage/types.ts';
import type { CatalogCache } from './cache.ts';
import type { ImagesService } from './images.service.ts';
import { Category as CategoryRow } from './models/category.ts';
import { StaleProductError, productEtag, type ProductsService } from './products.service.ts';
import type { PublicCatalog } from './public-catalog.ts';

type Category = components['schemas']['Category'];

/** Shared caches may keep public catalog answers a minute; ETags make re-validation cheap. */
const PUBLIC = { 'Cache-Control': 'public, max-age=60' };

/**
 * A public answer from the catalog cache: the same JSON bytes and ETag a fresh read gives (the
 * router answers If-None-Match from the ETag set here). Keyed by path, query and language.
 */
async function cachedPublic(cache: CatalogCache, ctx: Context, read: () => Promise<unknown>) {
  const answer = await cache.get(`${ctx.path}?${ctx.querystring}|${ctx.state.locale}`, read);
  return {
    status: 200 as const,
    // the JSON bytes as sent; their schema is the operation's (checked by the tests like any answer)
    body: answer.json as never,
    headers: { ...PUBLIC, 'Content-Type': 'application/json; charset=utf-8', ETag: answer.etag },
    productId: answer.id,
  };
}

/** Parents before children, each level by position: the order a menu is built in. */
function treeOrder(categories: Category[]): Category[] {
  const byParent = new Map<string | null, Category[]>();
  for (const c of categories) byParent.set(c.parentId, [...(byParent.get(c.parentId) ?? []), c]);
  const ordered: Category[] = [];
  let level = byParent.get(null) ?? [];
  while (level.length) {
    level.sort((a, b) => a.position - b.position || a.slug.localeCompare(b.slug));
    ordered.push(...level);
    level = level.flatMap((c) => byParent.get(c.id) ?? []);
  }
  return ordered;
}

type CatalogOps =
  | 'listCategories' | 'listProducts' | 'getProduct' | 'listStores' | 'getStore' | 'getMedia'
  | 'listSellerProducts' | 'createProduct' | 'getSellerProduct' | 'updateProduct' | 'deleteProduct'
  | 'uploadProductImage' | 'deleteProductImage' | 'reorderProductImages';

export function catalogHandlers(deps: {
  db: Knex;
  storage: ObjectStorage;
  publicCatalog: PublicCatalog;
  products: ProductsService;
  images: ImagesService;
  cache: CatalogCache;
  /** Counts a view of a product detail served (the visitor is read from the request). */
  onViewed: (productId: string, ctx: Context) => void;
}): Handlers<CatalogOps> {
  const { db, storage, publicCatalog, products, images, cache, onViewed } = deps;
  return {
    listCategories: async ({ ctx }) =>
      cachedPublic(cache, ctx, async () => {
        const rows = await CategoryRow.query(db).select('id', 'slug', 'nameId', 'nameEn', 'parentId', 'position');
        return { items: treeOrder(rows.map(({ id, slug, nameId, nameEn, parentId, position }) => ({ id, slug, nameId, nameEn, parentId, position }))) };
      }),

    listProducts: async ({ query, ctx }) =>
      cachedPublic(cache, ctx, () =>
        publicCatalog.listProducts({
        q: query.q,
        categoryId: query.categoryId,
        storeId: query.storeId,
        minPrice: query.minPrice,
        maxPrice: query.maxPrice,
        inStock: query.inStock,
        sort: query.sort ?? 'relevance',
        // the validator filled in the spec's defaults
        page: query.page!,
        pageSize: query.pageSize!,
      }, ctx.state.locale)),

    getProduct: async ({ params, query, ctx }) => {
      // the read (cached) and the view it counts, by the answer's product id (the path may name a slug)
      const reply = await cachedPublic(cache, ctx, () => publicCatalog.productDetail(params.id, query.store));
      onViewed(reply.productId!, ctx);
      return reply;
    },
    listStores: async ({ query, ctx }) =>
      cachedPublic(cache, ctx, () => publicCatalog.listStores({ ...query, page: query.page!, pageSize: query.pageSize! })),

    getStore: async ({ params, ctx }) => cachedPublic(cache, ctx, () => publicCatalog.getStore(params.idOrSlug)),

    getMedia: async ({ params }) => {
      const object = await storage.get(`media/${params.name}`);
      if (!object) throw notFound('image');
      return {
        status: 200,
        body: object.body,
        // the name is the content's hash: it can never change
        headers: { 'Content-Type': object.contentType, 'Cache-Control': 'public, max-age=31536000, immutable', ETag: `"${params.name.split('.')[0]}"` },
      };
    },

    listSellerProducts: async ({ user, query }) => ({
      status: 200,
      body: await products.list(user(), { status: query.status, q: query.q, categoryId: query.categoryId, page: query.page!, pageSize: query.pageSize! }),
    }),

    createProduct: async ({ user, body }) => ({ status: 201, body: await products.create(user(), body) }),

    getSellerProduct: async ({ user, params }) => {
      const product = await products.get(user(), params.id);
      return { status: 200, body: product, headers: { ETag: productEtag(product) } };
    },

    updateProduct: async ({ user, params, body, headers }) => {
      try {
        const product = await products.update(user(), params.id, body, headers['If-Match'] || undefined);
        return { status: 200, body: product, headers: { ETag: productEtag(product) } };
      } catch (err) {
        if (!(err instanceof StaleProductError)) throw err;
        return { status: 412, body: err.current, headers: { ETag: productEtag(err.current) } };
      }
    },

    deleteProduct: async ({ user, params }) => {
      const { objectKeys } = await products.remove(user(), params.id);
      await images.deleteUnreferenced(objectKeys);
      return { status: 204, body: undefined };
    },

    uploadProductImage: async ({ user, params, ctx }) => ({
      status: 201,
      body: await images.upload(user(), params.id, await takeUpload(ctx, 'file')),
    }),

    deleteProductImage: async ({ user, params }) => {
      await images.remove(user(), params.id, params.imageId);
      return { status: 204, body: undefined };
    },

    reorderProductImages: async ({ user, params, body }) => ({ status: 200, body: { items: await images.reorder(user(), params.id, body.imageIds) } }),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { PartialModelObject } from 'objection';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { conflict, invalid, notFound, type FieldError } from '../../domain/errors.ts';
import { countThenPage } from '../../domain/paging.ts';
import { containing, firstFreeSlug, numberedSlugPattern, slugOf } from '../../domain/text.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { sellerStoreId } from '../accounts/index.ts';
import { stockStatus } from '../inventory/index.ts';
import { enqueue } from '../outbox/index.ts';
import { imageJson, type MediaUrls } from './media.ts';
import { Category } from './models/category.ts';
import { Product } from './models/product.ts';
import { ProductImage } from './models/product-image.ts';
import { ProductVariant } from './models/product-variant.ts';
import { orderedOptions } from './public-catalog.ts';

type Schemas = components['schemas'];
type VariantPatch = Schemas['VariantPatch'];
type ProductOption = Schemas['ProductOption'];
export type SellerProductJson = Schemas['SellerProduct'];
/** A strong validator of the whole representation: any edit, sale or stock change gives another. */
export const productEtag = (product: SellerProductJson): string => `"${createHash('sha256').update(JSON.stringify(product)).digest('base64url')}"`;

/** The product changed since the version the edit was based on; nothing was written. */
export class StaleProductError extends Error {
  readonly current: SellerProductJson;
  constructor(current: SellerProductJson) {
    super('the product changed since it was read');
    this.current = current;
  }
}

/** The rules a product's variants keep, reported with a pointer per broken variant. */
export function variantProblems(options: ProductOption[], variants: Array<{ options: Record<string, string>; sku?: string }>): FieldError[] {
  const problems: FieldError[] = [];
  const names = options.map((o) => o.name);
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
    problems.push({ pointer: '/options', message: 'option names must differ' });
  }
  if (options.length === 0 && variants.length !== 1) {
    problems.push({ pointer: '/variants', message: 'a product without options has exactly one variant' });
  }
  const seen = new Map<string, number>();
  variants.forEach((variant, i) => {
    const keys = Object.keys(variant.options);
    for (const key of keys) {
      if (!names.includes(key)) problems.push({ pointer: `/variants/${i}/options/${key}`, message: 'is not an option of this product' });
    }
    for (const option of options) {
      const value = variant.options[option.name];
      if (value === undefined) problems.push({ pointer: `/variants/${i}/options`, message: `needs a value for ${option.name}` });
      else if (!option.values.includes(value)) {
        problems.push({ pointer: `/variants/${i}/options/${option.name}`, message: `must be one of: ${option.values.join(', ')}` });
      }
    }
    const combination = JSON.stringify(names.map((n) => variant.options[n]));
    const first = seen.get(combination);
    if (first !== undefined) problems.push({ pointer: `/variants/${i}/options`, message: `repeats the combination of variant ${first}` });
    else seen.set(combination, i);
  });
  const skus = variants.map((v) => v.sku?.toUpperCase()).filter(Boolean);
  if (new Set(skus).size !== skus.length) problems.push({ pointer: '/variants', message: 'SKUs must differ' });
  return problems;
}

/** `KOP-1A2B3C4D`: three letters of the title and a random part. */
function generatedSku(title: string): string {
  const prefix = (slugOf(title, 80, '').replace(/-/g, '').slice(0, 3) || 'SKU').toUpperCase();
  return `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** Keeps the product's price range current (from its live variants) and queues its search index update. */
export async function recomputePriceRangeAndReindex(trx: Knex, productId: string): Promise<void> {
  await trx.raw(
    `update products p set price_min = coalesce(v.low, 0), price_max = coalesce(v.high, 0)
     from (select min(price) as low, max(price) as high from product_variants where product_id = ? and archived_at is null) v
     where p.id = ?`,
    [productId, productId],
  );
  await enqueue(trx, 'catalog.product-changed', [{ productId }]);
}

export class ProductsService {
  private readonly db: Knex;
  private readonly urls: MediaUrls;

  constructor(db: Knex, urls: MediaUrls) {
    this.db = db;
    this.urls = urls;
  }

  /** A product of the caller's store, with `lock` locked for the rest of the transaction; another store's is a 404. */
  async ownProduct(trx: Knex, storeId: string, productId: string, lock = false): Promise<Product> {
    const query = Product.query(trx).findOne({ id: productId, storeId });
    const product = await (lock ? query.forUpdate() : query);
    if (!product) throw notFound('product');
    return product;
  }

  private async checkCategory(trx: Knex, categoryId: string): Promise<void> {
    const category = await Category.query(trx).findById(categoryId).select('id');
    if (!category) throw invalid('There is no such category.', [{ pointer: '/categoryId', message: 'is not a category' }]);
  }

  /** The title's slug, numbered (`-2`, `-3`…) when another product of the store has it. */
  private async freeSlug(trx: Knex, storeId: string, title: string, productId?: string): Promise<string> {
    const base = slugOf(title, 80, 'produk');
    const taken = await Product.query(trx)
      .where({ storeId })
      .where((q) => q.where('slug', base).orWhere('slug', '~', numberedSlugPattern(base)))
      .modify((q) => (productId ? q.whereNot({ id: productId }) : q))
      .select('slug');
    return firstFreeSlug(base, taken.map((p) => p.slug));
  }

  async create(caller: AuthUser, input: Schemas['NewProduct']): Promise<SellerProductJson> {
    const options = input.options ?? [];
    const problems = variantProblems(options, input.variants);
    if (problems.length) throw invalid('The variants do not fit the options; see errors.', problems);
    const id = await this.write(async (trx) => {
      const storeId = await sellerStoreId(trx, caller);
      await this.checkCategory(trx, input.categoryId);
      const product = await Product.query(trx).insert({
        storeId,
        categoryId: input.categoryId,
        title: input.title.trim(),
        slug: await this.freeSlug(trx, storeId, input.title),
        description: input.description ?? '',
        status: input.status ?? 'draft',
        specifications: input.specifications ?? [],
        options,
      });
      await ProductVariant.query(trx).insert(input.variants.map((v, position) => this.variantRow(storeId, product.id, input.title, v, position)));
      await recomputePriceRangeAndReindex(trx, product.id);
      return product.id;
    });
    return this.get(caller, id);
  }

  /** A new variant's row; its initial stock is the only stock written outside the inventory operations. */
  private variantRow(
    storeId: string,
    productId: string,
    title: string,
    v: { options: Record<string, string>; price: number; stock?: number; sku?: string; lowStockThreshold?: number },
    position: number,
  ): PartialModelObject<ProductVariant> {
    return {
      storeId,
      productId,
      position,
      sku: v.sku ?? generatedSku(title),
      options: v.options,
      price: v.price,
      stock: v.stock ?? 0,
      lowStockThreshold: v.lowStockThreshold ?? 10,
    };
  }

  /**
   * Changes only the fields sent. Stock of existing variants is never written here (only the
   * inventory operations and sales move it), so a form loaded before a sale cannot undo it.
   * With `ifMatch`, the edit applies only to the version it was based on (StaleProductError otherwise).
   */
  async update(caller: AuthUser, productId: string, patch: Schemas['ProductPatch'], ifMatch?: string): Promise<SellerProductJson> {
    await this.write(async (trx) => {
      const storeId = await sellerStoreId(trx, caller);
      await this.ownProduct(trx, storeId, productId);
      // variants before product, the order checkout takes them in, so the two cannot deadlock
      await ProductVariant.query(trx).where({ productId }).orderBy('id').forUpdate();
      const product = await this.ownProduct(trx, storeId, productId, true);
      if (ifMatch && ifMatch.trim() !== '*') {
        const [now] = await this.load([productId], trx);
        if (!ifMatch.split(',').some((tag) => tag.trim() === productEtag(now))) throw new StaleProductError(now);
      }
      if (patch.categoryId) await this.checkCategory(trx, patch.categoryId);
      const options: ProductOption[] = patch.options ?? product.options;
      const current = await ProductVariant.query(trx).where({ productId }).whereNull('archivedAt').orderBy('position').orderBy('id');

      if (patch.variants || patch.options) {
        const sent: VariantPatch[] = patch.variants ?? current.map((v) => ({ id: v.id }));
        const problems: FieldError[] = [];
        const wanted = sent.map((v, i) => {
          const before = v.id ? current.find((c) => c.id === v.id) : undefined;
          if (v.id && !before) problems.push({ pointer: `/variants/${i}/id`, message: 'is not a variant of this product' });
          if (!v.id && !v.options) problems.push({ pointer: `/variants/${i}/options`, message: 'is required for a new variant' });
          if (!v.id && v.price === undefined) problems.push({ pointer: `/variants/${i}/price`, message: 'is required for a new variant' });
          return { ...v, options: v.options ?? before?.options ?? {}, sku: v.sku ?? before?.sku };
        });
        if (problems.length) throw invalid('The variants are not valid; see errors.', problems);
        problems.push(...variantProblems(options, wanted));
        if (problems.length) throw invalid('The variants do not fit the options; see errors.', problems);
        if (patch.variants) await this.replaceVariants(trx, storeId, product, current, patch.variants);
      }

      const fields: PartialModelObject<Product> = { updatedAt: new Date() };
      if (patch.title) {
        fields.title = patch.title.trim();
        fields.slug = await this.freeSlug(trx, storeId, patch.title, productId);
      }
      if (patch.description !== undefined) fields.description = patch.description;
      if (patch.categoryId) fields.categoryId = patch.categoryId;
      if (patch.status) fields.status = patch.status;
      if (patch.specifications) fields.specifications = patch.specifications;
      if (patch.options) fields.options = patch.options;
      await Product.query(trx).findById(productId).patch(fields);
      await recomputePriceRangeAndReindex(trx, productId);
    });
    return this.get(caller, productId);
  }

  /** `wanted` is the whole list: ids change, new entries add, the missing are removed (archived if ever ordered). */
  private async replaceVariants(trx: Knex, storeId: string, product: Product, current: ProductVariant[], wanted: VariantPatch[]) {
    const keep = new Set(wanted.filter((v) => v.id).map((v) => v.id));
    const removed = current.filter((c) => !keep.has(c.id)).map((c) => c.id);
    if (removed.length) {
      const orderedRows = await trx('orderItems').whereIn('variantId', removed).distinct<Array<{ variantId: string }>>('variantId');
      const ordered = new Set(orderedRows.map((r) => r.variantId));
      const deletable = removed.filter((id) => !ordered.has(id));
      if (deletable.length) await ProductVariant.query(trx).whereIn('id', deletable).delete();
      if (ordered.size) await ProductVariant.query(trx).whereIn('id', [...ordered]).patch({ archivedAt: new Date() });
    }
    for (const [position, v] of wanted.entries()) {
      if (!v.id) {
        await ProductVariant.query(trx).insert(this.variantRow(storeId, product.id, product.title, { ...v, options: v.options!, price: v.price! }, position));
        continue;
      }
      await ProductVariant.query(trx)
        .findById(v.id)
        .patch({
          ...(v.options ? { options: v.options } : {}),
          ...(v.price !== undefined ? { price: v.price } : {}),
          ...(v.sku ? { sku: v.sku } : {}),
          ...(v.lowStockThreshold !== undefined ? { lowStockThreshold: v.lowStockThreshold } : {}),
          position,
          updatedAt: new Date(),
        });
    }
  }

  /** Deletes a product, or archives it when it was ever ordered or sits in a cart, so order history stays whole. */
  async remove(caller: AuthUser, productId: string): Promise<{ archived: boolean; objectKeys: string[] }> {
    return this.db.transaction(async (trx) => {
      const storeId = await sellerStoreId(trx, caller);
      await this.ownProduct(trx, storeId, productId, true);
      // ever ordered, or in a cart: archived, so order history stays whole and the cart line stays, flagged unavailable
      const ordered = await trx('orderItems').where({ productId }).first<{ id: string } | undefined>('id');
      const inCart = await trx('cartItems as i').join('productVariants as v', 'v.id', 'i.variantId').where('v.productId', productId).first<{ id: string } | undefined>('i.id');
      if (ordered || inCart) {
        await Product.query(trx).findById(productId).patch({ status: 'archived', updatedAt: new Date() });
        await ProductVariant.query(trx).where({ productId }).whereNull('archivedAt').patch({ archivedAt: new Date() });
        await enqueue(trx, 'catalog.product-changed', [{ productId }]);
        return { archived: true, objectKeys: [] };
      }
      const images = await ProductImage.query(trx).where({ productId });
      await Product.query(trx).deleteById(productId);
      await enqueue(trx, 'catalog.product-changed', [{ productId }]);
      return { archived: false, objectKeys: images.flatMap((i) => [i.objectKey, i.thumbnailKey]) };
    });
  }

  async list(caller: AuthUser, query: { status?: string; q?: string; categoryId?: string; page: number; pageSize: number }) {
    const storeId = await sellerStoreId(this.db, caller);
    const base = this.db('products')
      .where({ storeId })
      .modify((q) => {
        if (query.status) q.where({ status: query.status });
        if (query.q) q.whereILike('title', containing(query.q));
        if (query.categoryId) {
          q.whereRaw(
            'category_id in (with recursive tree as (select id from categories where id = ? union all select c.id from categories c join tree on c.parent_id = tree.id) select id from tree)',
            [query.categoryId],
          );
        }
      });
    const page = await countThenPage(base, query, async (page) => {
      const rows = await page.orderBy('updatedAt', 'desc').orderBy('id').select<Array<{ id: string }>>('id');
      return rows.map((r) => r.id);
    });
    return { ...page, items: await this.load(page.items) };
  }

  async get(caller: AuthUser, productId: string): Promise<SellerProductJson> {
    const storeId = await sellerStoreId(this.db, caller);
    await this.ownProduct(this.db, storeId, productId);
    const [product] = await this.load([productId]);
    return product;
  }

  /** Products with their variants and images in three queries, whatever their number. */
  private async load(ids: string[], db: Knex = this.db): Promise<SellerProductJson[]> {
    if (ids.length === 0) return [];
    const [products, variants, images] = await Promise.all([
      Product.query(db).whereIn('id', ids),
      ProductVariant.query(db).whereIn('productId', ids).whereNull('archivedAt').orderBy('position').orderBy('id'),
      ProductImage.query(db).whereIn('productId', ids).orderBy('position').orderBy('createdAt'),
    ]);
    const byId = new Map(products.map((p) => [p.id, p]));
    return ids.map((id) => {
      const p = byId.get(id)!;
      return {
        id: p.id,
        slug: p.slug,
        title: p.title,
        description: p.description,
        categoryId: p.categoryId,
        status: p.status,
        specifications: p.specifications,
        options: p.options,
        variants: variants
          .filter((v) => v.productId === id)
          .map((v) => ({
            id: v.id,
            sku: v.sku,
            options: orderedOptions(v.options, p.options),
            price: v.price,
            stock: v.stock,
            lowStockThreshold: v.lowStockThreshold,
            stockStatus: stockStatus(v.stock, v.lowStockThreshold),
          })),
        images: images.filter((i) => i.productId === id).map((i) => imageJson(this.urls, i)),
        priceMin: p.priceMin,
        priceMax: p.priceMax,
        createdAt: p.createdAt.toISOString(),
        updatedAt: p.updatedAt.toISOString(),
      };
    });
  }

  private async write<T>(work: (trx: Knex.Transaction) => Promise<T>, attempt = 1): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (err) {
      // two writers picked the same free slug at once: the loser picks again
      if (isUniqueViolation(err, 'products_store_id_slug_unique')) {
        if (attempt < 10) return this.write(work, attempt + 1);
        throw conflict('Another product of this store was just given this title; try again.', { errors: [{ pointer: '/title', message: 'is being taken' }] });
      }
      if (isUniqueViolation(err, 'product_variants_store_id_sku_unique')) {
        throw conflict('Another variant of this store already has that SKU.', { errors: [{ pointer: '/variants', message: 'a SKU is already used in this store' }] });
      }
      throw err;
    }
  }
}

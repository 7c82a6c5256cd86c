import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { DomainError, invalid, notFound } from '../../domain/errors.ts';
import { countThenPage, type Page } from '../../domain/paging.ts';
import { PREPARED } from '../../platform/db/prepared.ts';
import { containing } from '../../domain/text.ts';
import { sellerStoreId } from '../accounts/index.ts';
import { enqueueFrom } from '../outbox/index.ts';
import type { StockMovement, StockReason } from './models/stock-movement.ts';
import { crossesBelowThresholdSql, stockStatus, stockStatusSql, type StockStatus } from './rules.ts';

type InventoryRow = components['schemas']['InventoryRow'];
type StockChange = { variantId: string; stock: number; expectedStock?: number } | { variantId: string; delta: number };

export type { StockReason };

export interface StockShortage {
  variantId: string;
  sku: string;
  available: number;
  pointer?: string;
}

/** Stock would go below zero; nothing was changed. Callers say it their way (422 for a seller, 409 at checkout). */
export class StockShortError extends Error {
  readonly shortages: StockShortage[];
  constructor(shortages: StockShortage[]) {
    super(`short on ${shortages.map((s) => s.sku).join(', ')}`);
    this.shortages = shortages;
  }
}

/** Stock would pass the spec's maximum; nothing was changed. */
export class StockOverMaxError extends Error {
  readonly pointers: string[];
  constructor(pointers: string[]) {
    super(`stock would pass ${MAX_STOCK}`);
    this.pointers = pointers;
  }
}

/** A variant's stock is not what the writer saw; nothing was changed. */
export class StockMovedError extends Error {
  readonly mismatches: Array<{ variantId: string; sku: string; expectedStock: number; stock: number; pointer?: string }>;
  constructor(mismatches: StockMovedError['mismatches']) {
    super(`stock moved on ${mismatches.map((m) => m.sku).join(', ')}`);
    this.mismatches = mismatches;
  }
}

/** The columns of a variant the stock function reads (under its row lock), as they were before the change. */
export interface LockedVariant {
  id: string;
  productId: string;
  storeId: string;
  stock: number;
  lowStockThreshold: number;
  sku: string;
  /** Read under the lock: what a sale charges. */
  price: number;
}

/** A line of the seller's inventory, as read (camelCase, knexSnakeCaseMappers). */
interface InventoryLine {
  variantId: string;
  productId: string;
  title: string;
  sku: string;
  options: Record<string, string>;
  price: number;
  stock: number;
  lowStockThreshold: number;
}

/** The spec's maximum stock (openapi.yaml: stock maximum): no change may carry stock past it. */
export const MAX_STOCK = 1_000_000_000;

/** A change to one variant's stock: by `delta`, or `to` a value (guarded by `expected`, the stock the writer saw). */
export type StockChangeRequest = { variantId: string; pointer?: string; orderId?: string } & ({ delta: number } | { to: number; expected?: number });

/** A locked variant as the stock function read it, and the stock it got. */
interface ChangedRow {
  id: string;
  product_id: string;
  store_id: string;
  stock: number;
  low_stock_threshold: number;
  sku: string;
  price: number;
  new_stock: number;
  expected: number | null;
  ok: boolean;
}

/**
 * The one stock function: every change to an existing variant's stock goes through it (sales,
 * cancellations and expiries, checkout compensations, the seller's inventory edits); only a new
 * variant's opening stock is written with the variant, by the catalog. One statement locks the
 * variants in id order (concurrent writers cannot deadlock; `for no key update`, so carts and order
 * items that name the variants do not wait), checks every change (not below zero, not past
 * MAX_STOCK, `expected` still true) and, only if all pass, changes the stock, records each change
 * and writes the outbox events: the product changed (search), and a low-stock alert when a variant
 * crosses below its threshold (once per crossing, not on every sale). Changes to one variant add up
 * (a value then deltas). Returns the locked variants as they were (with the price a sale charges);
 * throws, having changed nothing, when a check fails.
 */
export async function applyStockChanges(trx: Knex, changes: StockChangeRequest[], actor: { id: string | null; reason: StockReason }): Promise<LockedVariant[]> {
  if (changes.length === 0) return [];
  const byVariant = new Map<string, { variant_id: string; delta: number; to: number | null; expected: number | null; order_id: string | null; pointer?: string }>();
  for (const c of changes) {
    const seen = byVariant.get(c.variantId) ?? { variant_id: c.variantId, delta: 0, to: null, expected: null, order_id: null };
    if ('to' in c) Object.assign(seen, { to: c.to, delta: 0, expected: seen.expected ?? c.expected ?? null });
    else seen.delta += c.delta;
    seen.order_id = c.orderId ?? seen.order_id;
    seen.pointer = c.pointer ?? seen.pointer;
    byVariant.set(c.variantId, seen);
  }
  const changed = 'n.new_stock <> n.stock and ok.ok';
  const { rows } = await trx.raw<{ rows: ChangedRow[] }>(
    `with c as (
       select * from json_to_recordset(cast(:changes as json)) as x (variant_id uuid, delta int, "to" int, expected int, order_id uuid)
     ), l as materialized (
       select v.id, v.product_id, v.store_id, v.stock, v.low_stock_threshold, v.sku, v.price
       from product_variants v where v.id in (select variant_id from c) order by v.id for no key update
     ), n as (
       select l.*, cast(coalesce(c."to", l.stock) as bigint) + c.delta as new_stock, c.expected, c.order_id
       from l join c on c.variant_id = l.id
     ), ok as (
       select coalesce(bool_and(n.new_stock between 0 and :max and (n.expected is null or n.expected = n.stock)), true) as ok from n
     ), u as (
       update product_variants v set stock = n.new_stock, updated_at = now() from n, ok where v.id = n.id and ${changed}
     ), m as (
       insert into stock_movements (variant_id, actor_id, old_stock, new_stock, reason, order_id)
       select n.id, :actor, n.stock, n.new_stock, :reason, n.order_id from n, ok where ${changed}
     ), e as (
       ${enqueueFrom(`
         select 'inventory.low-stock' as topic, jsonb_build_object('variantId', n.id, 'productId', n.product_id, 'storeId', n.store_id, 'stock', n.new_stock, 'threshold', n.low_stock_threshold) as payload
         from n, ok where ${changed} and ${crossesBelowThresholdSql('n.stock', 'n.new_stock', 'n.low_stock_threshold')}
         union all
         select distinct 'catalog.product-changed', jsonb_build_object('productId', n.product_id) from n, ok where ${changed}`)}
     )
     select n.*, ok.ok from n, ok order by n.id`,
    { changes: JSON.stringify([...byVariant.values()].map(({ pointer: _pointer, ...c }) => c)), max: MAX_STOCK, actor: actor.id, reason: actor.reason },
  ).options(PREPARED('stock-change'));
  if (rows.length === 0 || rows[0].ok) {
    return rows.map((r) => ({ id: r.id, productId: r.product_id, storeId: r.store_id, stock: r.stock, lowStockThreshold: r.low_stock_threshold, sku: r.sku, price: r.price }));
  }
  const pointerOf = (id: string) => byVariant.get(id)?.pointer;
  const moved = rows.filter((r) => r.expected !== null && r.expected !== r.stock);
  if (moved.length) throw new StockMovedError(moved.map((r) => ({ variantId: r.id, sku: r.sku, expectedStock: r.expected!, stock: r.stock, pointer: pointerOf(r.id) })));
  const short = rows.filter((r) => r.new_stock < 0);
  if (short.length) throw new StockShortError(short.map((r) => ({ variantId: r.id, sku: r.sku, available: r.stock, pointer: pointerOf(r.id) })));
  throw new StockOverMaxError(rows.filter((r) => r.new_stock > MAX_STOCK).map((r) => pointerOf(r.id) ?? ''));
}

export class InventoryService {
  private readonly db: Knex;

  constructor(db: Knex) {
    this.db = db;
  }

  /** The store's live variants (not archived, of a product not archived). */
  private lines(storeId: string): Knex.QueryBuilder {
    return this.db('productVariants as v')
      .join('products as p', 'p.id', 'v.productId')
      .where('v.storeId', storeId)
      .whereNull('v.archivedAt')
      .whereNot('p.status', 'archived');
  }

  private static select(query: Knex.QueryBuilder): Promise<InventoryLine[]> {
    return query.select<InventoryLine[]>('v.id as variantId', 'p.id as productId', 'p.title', 'v.sku', 'v.options', 'v.price', 'v.stock', 'v.lowStockThreshold');
  }

  private static toJson(line: InventoryLine): InventoryRow {
    return { ...line, status: stockStatus(line.stock, line.lowStockThreshold) };
  }

  async list(caller: AuthUser, query: { status?: StockStatus; q?: string; page: number; pageSize: number }): Promise<Page<InventoryRow>> {
    const storeId = await sellerStoreId(this.db, caller);
    const base = this.lines(storeId).modify((q: Knex.QueryBuilder) => {
      if (query.status) q.whereRaw(stockStatusSql(query.status));
      if (query.q) {
        const like = containing(query.q);
        q.andWhere((w) => w.whereILike('p.title', like).orWhereILike('v.sku', like));
      }
    });
    return countThenPage(base, query, async (page) => (await InventoryService.select(page.orderBy('v.stock').orderBy('p.title').orderBy('v.id'))).map(InventoryService.toJson));
  }

  /** A variant's stock changes, newest first; another store's variant is a 404. */
  async history(caller: AuthUser, variantId: string, request: { page: number; pageSize: number }) {
    const storeId = await sellerStoreId(this.db, caller);
    const own = await this.db('productVariants').where({ id: variantId, storeId }).first<{ id: string } | undefined>('id');
    if (!own) throw notFound('variant');
    const base = this.db('stockMovements as m').where('m.variantId', variantId);
    type Movement = Pick<StockMovement, 'oldStock' | 'newStock' | 'reason' | 'createdAt'> & { number: string | null };
    return countThenPage(base, request, async (page) => {
      const rows = await page
        .leftJoin('orders as o', 'o.id', 'm.orderId')
        .orderBy('m.createdAt', 'desc')
        .orderBy('m.id', 'desc')
        .select<Movement[]>('m.oldStock', 'm.newStock', 'm.reason', 'm.createdAt', 'o.number');
      return rows.map((r) => ({
        oldStock: r.oldStock,
        newStock: r.newStock,
        change: r.newStock - r.oldStock,
        reason: r.reason,
        orderNumber: r.number ?? null,
        at: new Date(r.createdAt).toISOString(),
      }));
    });
  }

  /** All or nothing: one short variant, or one that is not the seller's, changes nothing. */
  async update(caller: AuthUser, items: StockChange[]): Promise<{ items: InventoryRow[] }> {
    const storeId = await sellerStoreId(this.db, caller);
    const ids = [...new Set(items.map((i) => i.variantId))];
    await this.db.transaction(async (trx) => {
      const own = await trx('productVariants').whereIn('id', ids).where({ storeId }).whereNull('archivedAt').pluck<string[]>('id');
      const foreign = ids.find((id) => !own.includes(id));
      if (foreign) throw notFound(`variant ${foreign}`);
      await applyStockChanges(
        trx,
        items.map((item, i): StockChangeRequest =>
          'stock' in item
            ? { variantId: item.variantId, to: item.stock, expected: item.expectedStock, pointer: `/items/${i}/stock` }
            : { variantId: item.variantId, delta: item.delta, pointer: `/items/${i}/delta` },
        ),
        { id: caller.id, reason: 'manual' },
      ).catch((err: unknown) => {
        if (err instanceof StockMovedError) {
          throw new DomainError('conflict', `Stock changed since you looked: ${err.mismatches.map((m) => `${m.sku} has ${m.stock} now, not ${m.expectedStock}`).join('; ')}. Nothing was changed.`, {
            code: 'stock-changed',
            errors: err.mismatches.map((m) => ({ pointer: m.pointer!.replace(/stock$/, 'expectedStock'), message: `is ${m.stock} now` })),
            details: { currentStock: err.mismatches.map(({ variantId, sku, expectedStock, stock }) => ({ variantId, sku, expectedStock, stock })) },
          });
        }
        if (err instanceof StockOverMaxError) {
          throw invalid(`Stock cannot pass ${MAX_STOCK}; nothing was changed.`, err.pointers.map((pointer) => ({ pointer, message: `would take the stock past ${MAX_STOCK}` })));
        }
        if (!(err instanceof StockShortError)) throw err;
        throw invalid(
          'Stock cannot go below zero; nothing was changed.',
          err.shortages.map((s) => ({ pointer: s.pointer ?? '', message: `would take ${s.sku} below zero; it has ${s.available}` })),
        );
      });
    });
    const lines = await InventoryService.select(this.lines(storeId).whereIn('v.id', ids).orderBy('v.id'));
    return { items: lines.map(InventoryService.toJson) };
  }
}

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { DomainError, invalid, notFound } from '../../domain/errors.ts';
import { countThenPage, type Page } from '../../domain/paging.ts';
import { containing } from '../../domain/text.ts';
import { sellerStoreId } from '../accounts/index.ts';
import { enqueueStatement, type OutboxEvents } from '../outbox/index.ts';
import type { StockMovement, StockReason } from './models/stock-movement.ts';
import { crossesBelowThreshold, stockStatus, stockStatusSql, type StockStatus } from './rules.ts';

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

/**
 * The one stock function: every change to an existing variant's stock goes through it (sales,
 * cancellations and expiries, checkout compensations, the seller's inventory edits); only a new
 * variant's opening stock is written with the variant, by the catalog. Locks the variants in id
 * order (concurrent writers cannot deadlock), then in one statement changes their stock, records
 * each change, and writes the outbox events: the product changed (search), and a low-stock alert
 * when a variant crosses below its threshold (once per crossing, not on every sale). `expected`
 * guards a write against a stock that moved since read. Returns the locked variants as they were.
 */
export async function applyStockChanges(
  trx: Knex,
  changes: Array<{ variantId: string; newStock: (old: number) => number; expected?: number; pointer?: string; orderId?: string }>,
  actor: { id: string | null; reason: StockReason },
): Promise<LockedVariant[]> {
  const ids = [...new Set(changes.map((c) => c.variantId))].sort();
  const rows = await trx('productVariants')
    .whereIn('id', ids)
    .orderBy('id')
    .forUpdate()
    .select<LockedVariant[]>('id', 'productId', 'storeId', 'stock', 'lowStockThreshold', 'sku', 'price');
  const byId = new Map(rows.map((r) => [r.id, r]));
  const next = new Map<string, number>();
  const orderOf = new Map<string, string>();
  const shortages: StockShortage[] = [];
  const moved: StockMovedError['mismatches'] = [];
  for (const change of changes) {
    const row = byId.get(change.variantId)!;
    if (change.expected !== undefined && change.expected !== row.stock) {
      moved.push({ variantId: row.id, sku: row.sku, expectedStock: change.expected, stock: row.stock, pointer: change.pointer });
    }
    const stock = change.newStock(next.get(row.id) ?? row.stock);
    if (stock < 0) shortages.push({ variantId: row.id, sku: row.sku, available: row.stock, pointer: change.pointer });
    next.set(row.id, stock);
    if (change.orderId) orderOf.set(row.id, change.orderId);
  }
  if (moved.length) throw new StockMovedError(moved);
  if (shortages.length) throw new StockShortError(shortages);

  const changed = [...next].filter(([id, stock]) => stock !== byId.get(id)!.stock).map(([id, stock]) => ({ row: byId.get(id)!, stock }));
  if (changed.length === 0) return rows;
  const events: OutboxEvents = [
    ...changed
      .filter(({ row, stock }) => crossesBelowThreshold(row.stock, stock, row.lowStockThreshold))
      .map(({ row, stock }) => ({ topic: 'inventory.low-stock' as const, payload: { variantId: row.id, productId: row.productId, storeId: row.storeId, stock, threshold: row.lowStockThreshold } })),
    ...[...new Set(changed.map(({ row }) => row.productId))].map((productId) => ({ topic: 'catalog.product-changed' as const, payload: { productId } })),
  ];
  const movements = changed.map(({ row, stock }) => ({ variant_id: row.id, actor_id: actor.id, old_stock: row.stock, new_stock: stock, reason: actor.reason, order_id: orderOf.get(row.id) ?? null }));
  // the stock, its history and the events in one statement
  await trx.raw(
    `with v as (
       update product_variants v set stock = c.stock, updated_at = now()
       from (select unnest(cast(? as uuid[])) as id, unnest(cast(? as int[])) as stock) c where v.id = c.id
     ), m as (
       insert into stock_movements (variant_id, actor_id, old_stock, new_stock, reason, order_id)
       select x.variant_id, x.actor_id, x.old_stock, x.new_stock, x.reason, x.order_id
       from json_to_recordset(cast(? as json)) as x (variant_id uuid, actor_id uuid, old_stock int, new_stock int, reason text, order_id uuid)
     ) ?`,
    [changed.map(({ row }) => row.id), changed.map(({ stock }) => stock), JSON.stringify(movements), enqueueStatement(trx, events)],
  );
  return rows;
}

/** The spec's maximum stock (openapi.yaml: stock maximum); a delta must not carry stock past it. */
const MAX_STOCK = 1_000_000_000;
function withinMaxStock(stock: number, pointer: string): number {
  if (stock > MAX_STOCK) throw invalid(`Stock cannot pass ${MAX_STOCK}; nothing was changed.`, [{ pointer, message: `would take the stock past ${MAX_STOCK}` }]);
  return stock;
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
        items.map((item, i) =>
          'stock' in item
            ? { variantId: item.variantId, newStock: () => item.stock, expected: item.expectedStock, pointer: `/items/${i}/stock` }
            : { variantId: item.variantId, newStock: (old: number) => withinMaxStock(old + item.delta, `/items/${i}/delta`), pointer: `/items/${i}/delta` },
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

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../http/handler.ts';
import { conflict, notFound, unprocessable } from '../../http/problem.ts';
import { mediaUrl, type MediaUrls } from '../catalog/index.ts';
import { inStock } from '../inventory/index.ts';

type Schemas = components['schemas'];
type CartProblem = Schemas['CartProblem'];

/** The contract's Money maximum (openapi.yaml: Money): no cart or checkout total may pass it. */
export const MAX_MONEY = 1_000_000_000_000;

/** Refuses a cart change that would take the cart's total past MAX_MONEY (inside the change's transaction). */
async function keepTotalWithinMoney(trx: Knex, cartId: string): Promise<void> {
  const [{ total }] = await trx('cartItems as i')
    .join('productVariants as v', 'v.id', 'i.variantId')
    .where('i.cartId', cartId)
    .select(trx.raw('coalesce(sum(v.price * i.quantity), 0) as total'));
  if (Number(total) > MAX_MONEY) {
    throw unprocessable(`The cart's total would pass Rp ${MAX_MONEY.toLocaleString('id-ID')}, the most one checkout may pay.`, [
      { pointer: '/quantity', message: `would take the cart total past ${MAX_MONEY}` },
    ]);
  }
}

export interface CartLine {
  id: string;
  variantId: string;
  productId: string;
  storeId: string;
  storeName: string;
  storeSlug: string;
  storeLocation: string;
  storeCityCode: string | null;
  title: string;
  options: Record<string, string>;
  sku: string;
  thumbnailKey: string | null;
  price: number;
  unitPriceAtAdd: number;
  quantity: number;
  stock: number;
  onSale: boolean;
}

/** The lines of a cart with everything checkout and the cart page need, in one query. */
export function cartLines(db: Knex, cartId: string, itemIds?: string[]): Promise<CartLine[]> {
  return db('cartItems as i')
    .join('productVariants as v', 'v.id', 'i.variantId')
    .join('products as p', 'p.id', 'v.productId')
    .join('stores as s', 's.id', 'p.storeId')
    .where('i.cartId', cartId)
    .modify((q) => (itemIds ? q.whereIn('i.id', itemIds) : q))
    .orderBy('s.name')
    .orderBy('i.createdAt')
    .orderBy('i.id')
    .select(
      'i.id', 'i.variantId', 'p.id as productId', 's.id as storeId', 's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
      'p.title', 'v.options', 'v.sku', 'v.price', 'v.stock', 'i.unitPriceAtAdd', 'i.quantity',
      db.raw(`(p.status = 'active' and v.archived_at is null) as on_sale`),
      db.raw('(select im.thumbnail_key from product_images im where im.product_id = p.id order by im.position limit 1) as thumbnail_key'),
    );
}

/** Puts the lines of orders that did not go through back into the shopper's cart, at the prices they agreed to. */
export async function restoreCartLines(trx: Knex, userId: string, orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await trx.raw(
    `insert into cart_items (cart_id, variant_id, quantity, unit_price_at_add)
     select c.id, i.variant_id, sum(i.quantity), max(i.unit_price)
     from order_items i cross join (select id from carts where user_id = ?) c
     where i.order_id = any(cast(? as uuid[]))
     group by c.id, i.variant_id
     on conflict (cart_id, variant_id) do update set quantity = least(cart_items.quantity + excluded.quantity, 999), updated_at = now()`,
    [userId, orderIds],
  );
}

export function lineProblems(line: CartLine): CartProblem[] {
  const problems: CartProblem[] = [];
  if (!line.onSale) problems.push('unavailable');
  else if (!inStock(line.stock)) problems.push('out_of_stock');
  else if (line.stock < line.quantity) problems.push('insufficient_stock');
  if (line.price !== line.unitPriceAtAdd) problems.push('price_changed');
  return problems;
}

export class CartService {
  private readonly db: Knex;
  private readonly urls: MediaUrls;
  private readonly onAdded: (productId: string, userId: string) => void;

  /** `onAdded` hears each committed add to cart (the add-to-cart counter). */
  constructor(db: Knex, urls: MediaUrls, onAdded: (productId: string, userId: string) => void = () => {}) {
    this.db = db;
    this.urls = urls;
    this.onAdded = onAdded;
  }

  /** Every shopper has one cart, made on first use. */
  async cartId(userId: string, db: Knex = this.db): Promise<string> {
    const [row] = await db('carts').insert({ userId }).onConflict('userId').merge({ updatedAt: db.fn.now() }).returning('id');
    return row.id;
  }

  async get(caller: AuthUser): Promise<Schemas['Cart']> {
    const lines = await cartLines(this.db, await this.cartId(caller.id));
    const groups = new Map<string, Schemas['Cart']['groups'][number]>();
    for (const line of lines) {
      const group = groups.get(line.storeId) ?? { store: { id: line.storeId, name: line.storeName, slug: line.storeSlug }, items: [], subtotal: 0 };
      const lineTotal = line.price * line.quantity;
      group.items.push({
        id: line.id,
        variantId: line.variantId,
        productId: line.productId,
        title: line.title,
        options: line.options,
        thumbnailUrl: line.thumbnailKey ? mediaUrl(this.urls, line.thumbnailKey) : null,
        unitPrice: line.price,
        quantity: line.quantity,
        lineTotal,
        available: line.onSale ? line.stock : 0,
        problems: lineProblems(line),
      });
      group.subtotal += lineTotal;
      groups.set(line.storeId, group);
    }
    const all = [...groups.values()];
    return {
      groups: all,
      itemCount: lines.reduce((n, l) => n + l.quantity, 0),
      total: all.reduce((n, g) => n + g.subtotal, 0),
    };
  }

  private async purchasable(trx: Knex, variantId: string) {
    const variant = await trx('productVariants as v')
      .join('products as p', 'p.id', 'v.productId')
      .where('v.id', variantId)
      .where('p.status', 'active')
      .whereNull('v.archivedAt')
      .first('v.id', 'v.stock', 'v.price', 'v.sku', 'v.productId');
    if (!variant) throw notFound('variant on sale');
    return variant as { id: string; stock: number; price: number; sku: string; productId: string };
  }

  private static tooMany(available: number, sku: string) {
    return conflict(available === 0 ? `${sku} is sold out.` : `Only ${available} of ${sku} available.`, [
      { pointer: '/quantity', message: `at most ${available} available` },
    ]);
  }

  async add(caller: AuthUser, variantId: string, quantity: number): Promise<Schemas['Cart']> {
    const productId = await this.db.transaction(async (trx) => {
      const cartId = await this.cartId(caller.id, trx);
      const variant = await this.purchasable(trx, variantId);
      const line = await trx('cartItems').where({ cartId, variantId }).forUpdate().first();
      const wanted = (line?.quantity ?? 0) + quantity;
      if (wanted > variant.stock) throw CartService.tooMany(variant.stock, variant.sku);
      if (wanted > 999) throw conflict('A cart line holds at most 999 units.', [{ pointer: '/quantity', message: 'would pass 999 in the cart' }]);
      if (line) await trx('cartItems').where({ id: line.id }).update({ quantity: wanted, updatedAt: trx.fn.now() });
      else await trx('cartItems').insert({ cartId, variantId, quantity, unitPriceAtAdd: variant.price });
      await keepTotalWithinMoney(trx, cartId);
      return variant.productId;
    });
    this.onAdded(productId, caller.id);
    return this.get(caller);
  }

  async setQuantity(caller: AuthUser, itemId: string, quantity: number): Promise<Schemas['Cart']> {
    await this.db.transaction(async (trx) => {
      const cartId = await this.cartId(caller.id, trx);
      const line = await trx('cartItems').where({ id: itemId, cartId }).forUpdate().first();
      if (!line) throw notFound('cart item');
      const variant = await this.purchasable(trx, line.variantId);
      if (quantity > variant.stock) throw CartService.tooMany(variant.stock, variant.sku);
      await trx('cartItems').where({ id: itemId }).update({ quantity, updatedAt: trx.fn.now() });
      await keepTotalWithinMoney(trx, cartId);
    });
    return this.get(caller);
  }

  async remove(caller: AuthUser, itemId: string): Promise<Schemas['Cart']> {
    const cartId = await this.cartId(caller.id);
    const deleted = await this.db('cartItems').where({ id: itemId, cartId }).delete();
    if (!deleted) throw notFound('cart item');
    return this.get(caller);
  }
}

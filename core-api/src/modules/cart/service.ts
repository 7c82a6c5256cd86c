import type { Knex } from 'knex';
import { formatRupiah } from '@pasar/openapi/format';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import { PREPARED } from '../../platform/db/prepared.ts';
import { mediaUrl, thumbnailKeyColumn, type MediaUrls } from '../catalog/index.ts';
import { inStock } from '../inventory/index.ts';
import { Cart } from './models/cart.ts';
import { CartItem } from './models/cart-item.ts';

type Schemas = components['schemas'];
type CartProblem = Schemas['CartProblem'];

/** The contract's Money maximum (openapi.yaml: Money): no cart or checkout total may pass it. */
export const MAX_MONEY = 1_000_000_000_000;

/** Refuses a cart change that would take the cart's total past MAX_MONEY (inside the change's transaction). */
async function keepTotalWithinMoney(trx: Knex, cartId: string): Promise<void> {
  const [{ total }] = await trx('cartItems as i')
    .join('productVariants as v', 'v.id', 'i.variantId')
    .where('i.cartId', cartId)
    .select<Array<{ total: number }>>(trx.raw('coalesce(sum(v.price * i.quantity), 0) as total'));
  if (Number(total) > MAX_MONEY) {
    throw invalid(`The cart's total would pass ${formatRupiah(MAX_MONEY)}, the most one checkout may pay.`, [
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

/**
 * The lines of a cart with everything checkout and the cart page need, in one statement: the
 * cart by id, or a shopper's (made on first use, or touched, by the same statement), or the lines
 * a checkout takes out of a shopper's cart (`take`: deleted by the same statement).
 */
function cartLines(db: Knex, cart: { id: string } | { userId: string } | { take: string }, itemIds?: string[]): Promise<CartLine[]> {
  const onlyChosen = (q: Knex.QueryBuilder) => (itemIds ? q.whereIn('i.id', itemIds) : q);
  const source: Knex.QueryBuilder = 'take' in cart
    ? db.with('i', db.raw(
      `delete from cart_items i using carts c where c.id = i.cart_id and c.user_id = ?${itemIds ? ' and i.id = any(cast(? as uuid[]))' : ''} returning i.*`,
      itemIds ? [cart.take, itemIds] : [cart.take],
    )).from('i').options(PREPARED(itemIds ? 'cart-take-chosen' : 'cart-take'))
    : 'userId' in cart
      ? db.with('c', db.raw('insert into carts (user_id) values (?) on conflict (user_id) do update set updated_at = now() returning id', [cart.userId]))
        .from('cartItems as i').whereIn('i.cartId', db.select('id').from('c')).modify(onlyChosen)
      : db.from('cartItems as i').where('i.cartId', cart.id).modify(onlyChosen);
  return source
    .join('productVariants as v', 'v.id', 'i.variantId')
    .join('products as p', 'p.id', 'v.productId')
    .join('stores as s', 's.id', 'p.storeId')
    .orderBy('s.name')
    .orderBy('i.createdAt')
    .orderBy('i.id')
    .select<CartLine[]>(
      'i.id', 'i.variantId', 'p.id as productId', 's.id as storeId', 's.name as storeName', 's.slug as storeSlug', 's.location as storeLocation', 's.cityCode as storeCityCode',
      'p.title', 'v.options', 'v.sku', 'v.price', 'v.stock', 'i.unitPriceAtAdd', 'i.quantity',
      db.raw(`(p.status = 'active' and v.archived_at is null) as on_sale`),
      thumbnailKeyColumn(db, 'p.id'),
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

interface Purchasable {
  id: string;
  stock: number;
  price: number;
  sku: string;
  productId: string;
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

  /** Every shopper has one cart, made on first use: its id. It writes (makes the cart, or touches its updated_at). */
  async ensureCart(userId: string, db: Knex = this.db): Promise<string> {
    const cart = await Cart.query(db).insert({ userId }).onConflict('userId').merge({ updatedAt: db.fn.now() }).returning('id');
    return cart.id;
  }

  /** The shopper's cart lines (only `itemIds` when given), as they are now; the cart is made on first use. */
  lines(db: Knex, userId: string, itemIds?: string[]): Promise<CartLine[]> {
    return cartLines(db, { userId }, itemIds);
  }

  /**
   * Takes the shopper's lines (only `itemIds` when given) out of the cart for the caller's
   * transaction, in one statement, and answers them as they were: two checkouts of one cart take
   * turns on the lines (a line taken by one is not there for the other), and a checkout that fails
   * rolls back with the lines still in the cart.
   */
  takeLines(trx: Knex, userId: string, itemIds?: string[]): Promise<CartLine[]> {
    return cartLines(trx, { take: userId }, itemIds);
  }

  /**
   * Puts lines that were not bought after all back into the shopper's cart, at the prices they
   * agreed to (a variant's units added up, beside what the cart holds now, at most 999).
   */
  async restoreLines(trx: Knex, userId: string, lines: Array<{ variantId: string; quantity: number; unitPrice: number }>): Promise<void> {
    if (lines.length === 0) return;
    const byVariant = new Map<string, { quantity: number; unitPrice: number }>();
    for (const l of lines) {
      const seen = byVariant.get(l.variantId);
      byVariant.set(l.variantId, { quantity: (seen?.quantity ?? 0) + l.quantity, unitPrice: Math.max(seen?.unitPrice ?? 0, l.unitPrice) });
    }
    const variantIds = [...byVariant.keys()].sort();
    await trx.raw(
      `insert into cart_items (cart_id, variant_id, quantity, unit_price_at_add)
       select c.id, l.variant_id, l.quantity, l.unit_price
       from unnest(cast(? as uuid[]), cast(? as int[]), cast(? as bigint[])) as l (variant_id, quantity, unit_price)
       cross join (select id from carts where user_id = ?) c
       on conflict (cart_id, variant_id) do update set quantity = least(cart_items.quantity + excluded.quantity, 999), updated_at = now()`,
      [variantIds, variantIds.map((id) => byVariant.get(id)?.quantity ?? 0), variantIds.map((id) => byVariant.get(id)?.unitPrice ?? 0), userId],
    );
  }

  async get(caller: AuthUser): Promise<Schemas['Cart']> {
    const lines = await cartLines(this.db, { userId: caller.id });
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

  private async purchasable(trx: Knex, variantId: string): Promise<Purchasable> {
    const variant = await trx('productVariants as v')
      .join('products as p', 'p.id', 'v.productId')
      .where('v.id', variantId)
      .where('p.status', 'active')
      .whereNull('v.archivedAt')
      .first<Purchasable | undefined>('v.id', 'v.stock', 'v.price', 'v.sku', 'v.productId');
    if (!variant) throw notFound('variant on sale');
    return variant;
  }

  private static tooMany(available: number, sku: string) {
    return conflict(available === 0 ? `${sku} is sold out.` : `Only ${available} of ${sku} available.`, {
      errors: [{ pointer: '/quantity', message: `at most ${available} available` }],
    });
  }

  async add(caller: AuthUser, variantId: string, quantity: number): Promise<Schemas['Cart']> {
    const productId = await this.db.transaction(async (trx) => {
      const cartId = await this.ensureCart(caller.id, trx);
      const variant = await this.purchasable(trx, variantId);
      const line = await CartItem.query(trx).findOne({ cartId, variantId }).forUpdate();
      const wanted = (line?.quantity ?? 0) + quantity;
      if (wanted > variant.stock) throw CartService.tooMany(variant.stock, variant.sku);
      if (wanted > 999) throw conflict('A cart line holds at most 999 units.', { errors: [{ pointer: '/quantity', message: 'would pass 999 in the cart' }] });
      if (line) await CartItem.query(trx).findById(line.id).patch({ quantity: wanted, updatedAt: trx.fn.now() });
      else await CartItem.query(trx).insert({ cartId, variantId, quantity, unitPriceAtAdd: variant.price });
      await keepTotalWithinMoney(trx, cartId);
      return variant.productId;
    });
    this.onAdded(productId, caller.id);
    return this.get(caller);
  }

  async setQuantity(caller: AuthUser, itemId: string, quantity: number): Promise<Schemas['Cart']> {
    await this.db.transaction(async (trx) => {
      const cartId = await this.ensureCart(caller.id, trx);
      const line = await CartItem.query(trx).findOne({ id: itemId, cartId }).forUpdate();
      if (!line) throw notFound('cart item');
      const variant = await this.purchasable(trx, line.variantId);
      if (quantity > variant.stock) throw CartService.tooMany(variant.stock, variant.sku);
      await CartItem.query(trx).findById(itemId).patch({ quantity, updatedAt: trx.fn.now() });
      await keepTotalWithinMoney(trx, cartId);
    });
    return this.get(caller);
  }

  async remove(caller: AuthUser, itemId: string): Promise<Schemas['Cart']> {
    const cartId = await this.ensureCart(caller.id);
    const deleted = await CartItem.query(this.db).where({ id: itemId, cartId }).delete();
    if (!deleted) throw notFound('cart item');
    return this.get(caller);
  }
}

import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../domain/caller.ts';
import { conflict, invalid } from '../domain/errors.ts';
import type { AddressesService } from '../modules/addresses/index.ts';
import type { CartService } from '../modules/cart/index.ts';
import type { RegionsService } from '../modules/regions/index.ts';
import { type ShippingCalculator, priceParcels } from '../modules/shipping/index.ts';

type Schemas = components['schemas'];

interface QuotedLine {
  storeId: string;
  storeName: string;
  storeSlug: string;
  storeCityCode: string | null;
  price: number;
  quantity: number;
}

/**
 * What checkout would charge for the same lines and address, with nothing taken: the goods at
 * today's prices and each store's shipping from the calculator checkout uses.
 */
export class QuoteFlow {
  private readonly db: Knex;
  private readonly addresses: AddressesService;
  private readonly regions: RegionsService;
  private readonly calculator: ShippingCalculator;

  private readonly cart: CartService;

  constructor(db: Knex, deps: { cart: CartService; addresses: AddressesService; regions: RegionsService; calculator: ShippingCalculator }) {
    this.db = db;
    this.cart = deps.cart;
    this.addresses = deps.addresses;
    this.regions = deps.regions;
    this.calculator = deps.calculator;
  }

  async quote(caller: AuthUser, request: Schemas['QuoteRequest']): Promise<Schemas['Quote']> {
    const address = await this.addresses.shippingAddress(caller, request);
    const lines = request.lines ? await this.variantLines(request.lines) : await this.cartLines(caller, request.itemIds);

    const byStore = new Map<string, QuotedLine[]>();
    for (const line of lines) byStore.set(line.storeId, [...(byStore.get(line.storeId) ?? []), line]);
    const stores = [...byStore.values()].map((storeLines) => ({
      storeId: storeLines[0].storeId,
      storeName: storeLines[0].storeName,
      storeSlug: storeLines[0].storeSlug,
      storeCityCode: storeLines[0].storeCityCode,
      units: storeLines.reduce((n, l) => n + l.quantity, 0),
      subtotal: storeLines.reduce((n, l) => n + l.price * l.quantity, 0),
    }));
    const priced = await priceParcels(this.calculator, this.regions, address, stores);
    const answer = stores
      .sort((a, b) => a.storeName.localeCompare(b.storeName))
      .map((s) => {
        const parcel = priced.get(s.storeId)!;
        return {
          store: { id: s.storeId, name: s.storeName, slug: s.storeSlug },
          from: { code: parcel.from.cityCode, name: parcel.from.city, level: 'city' as const },
          units: s.units,
          subtotal: s.subtotal,
          shippingCost: parcel.cost,
          total: s.subtotal + parcel.cost,
          delivery: parcel.delivery,
        };
      });
    const subtotal = answer.reduce((n, s) => n + s.subtotal, 0);
    const shippingTotal = answer.reduce((n, s) => n + s.shippingCost, 0);
    return { stores: answer, subtotal, shippingTotal, total: subtotal + shippingTotal, expectedTotal: subtotal + shippingTotal, shippingAddress: address };
  }

  private async cartLines(caller: AuthUser, itemIds?: string[]): Promise<QuotedLine[]> {
    const lines = await this.cart.lines(this.db, caller.id, itemIds);
    if (itemIds && lines.length !== itemIds.length) throw invalid('Some chosen lines are not in your cart.', [{ pointer: '/itemIds', message: 'names lines that are not in the cart' }]);
    if (lines.length === 0) throw invalid('Your cart is empty.', [{ pointer: '/itemIds', message: 'nothing to quote' }]);
    const gone = lines.filter((l) => !l.onSale);
    if (gone.length) throw conflict(`No longer on sale: ${gone.map((l) => l.title).join(', ')}. Remove it from the cart.`, { errors: [{ message: 'a line is no longer on sale' }] });
    return lines;
  }

  private async variantLines(wanted: { variantId: string; quantity: number }[]): Promise<QuotedLine[]> {
    const rows = await this.db('productVariants as v')
      .join('products as p', 'p.id', 'v.productId')
      .join('stores as s', 's.id', 'p.storeId')
      .whereIn('v.id', wanted.map((w) => w.variantId))
      .select<Array<Omit<QuotedLine, 'quantity'> & { variantId: string; onSale: boolean }>>('v.id as variantId', 'v.price', 's.id as storeId', 's.name as storeName', 's.slug as storeSlug', 's.cityCode as storeCityCode',
        this.db.raw(`(p.status = 'active' and v.archived_at is null) as on_sale`));
    const byId = new Map(rows.map((r) => [r.variantId, r]));
    const bad = wanted.map((w, i) => ({ w, i })).filter(({ w }) => !byId.get(w.variantId)?.onSale);
    if (bad.length) {
      throw invalid('Some lines are not on sale.', bad.map(({ i }) => ({ pointer: `/lines/${i}/variantId`, message: 'must be a variant on sale' })));
    }
    return wanted.map((w) => ({ ...byId.get(w.variantId)!, quantity: w.quantity }));
  }
}

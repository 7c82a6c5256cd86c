import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { AnalyticsService, rebuildSalesRollups } from '../src/modules/analytics/service.ts';
import { foldSoldCounts } from '../src/modules/catalog/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

describe('GET /seller/analytics', () => {
  let app: TestApp;
  let seller: Session;
  let bag: { id: string; slug: string; variants: Array<{ id: string }> };
  let pin: { id: string; variants: Array<{ id: string }> };

  async function order(variantId: string, quantity: number, at: string, status?: string) {
    const buyer = await signUpCustomer(app);
    await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } });
    const res = await app.request('POST', '/checkout', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: { recipient: 'Ani', phone: '081377778888', street: 'Jl. Asia Afrika 8', city: 'Bandung', province: 'Jawa Barat', postalCode: '40111' }, paymentMethod: 'cod' },
    });
    expect(res.status).to.equal(201);
    await app.db.knex('orders').where({ id: res.body.orders[0].id }).update({ placedAt: new Date(at), ...(status ? { status } : {}) });
  }

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    seller = await signUpSeller(app, 'Toko Analitik', 'Bandung');
    bag = await createProduct(app, seller, { title: 'Tas Kulit', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 250000, stock: 100 }] });
    pin = await createProduct(app, seller, { title: 'Pin Enamel', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 15000, stock: 8 }] });
    // day boundaries in Jakarta (UTC+7): 16:59Z is 23:59 that day, 17:00Z is 00:00 the next
    await order(bag.variants[0].id, 1, '2026-11-19T16:59:00Z'); // Nov 19
    await order(bag.variants[0].id, 2, '2026-11-19T17:00:00Z'); // Nov 20
    await order(pin.variants[0].id, 3, '2026-11-20T03:00:00Z'); // Nov 20
    await order(bag.variants[0].id, 4, '2026-11-20T04:00:00Z', 'cancelled'); // not revenue
    await order(pin.variants[0].id, 1, '2026-11-23T23:30:00Z'); // Nov 24 06:30 WIB: today
    await app.db.knex('productVariants').where({ id: pin.variants[0].id }).update({ stock: 0 });
  });
  after(async () => {
    await app?.close();
  });

  it('should count days in Jakarta time, keep empty days as zeros, and leave cancelled orders out of revenue', async () => {
    const service = new AnalyticsService(app.db.knex);
    const caller = { id: seller.userId, role: 'seller' as const, sessionId: 'x' };
    const result = await service.forSeller(caller, { from: '2026-11-18', to: '2026-11-24' }, new Date('2026-11-24T05:00:00Z'));
    expect(result.series).to.deep.equal([
      { start: '2026-11-18', revenue: 0, orders: 0, units: 0 },
      { start: '2026-11-19', revenue: 250000, orders: 1, units: 1 },
      { start: '2026-11-20', revenue: 545000, orders: 2, units: 5 },
      { start: '2026-11-21', revenue: 0, orders: 0, units: 0 },
      { start: '2026-11-22', revenue: 0, orders: 0, units: 0 },
      { start: '2026-11-23', revenue: 0, orders: 0, units: 0 },
      { start: '2026-11-24', revenue: 15000, orders: 1, units: 1 },
    ]);
    expect(result.summary).to.deep.include({ revenueToday: 15000, revenue7d: 810000, revenue30d: 810000, outOfStockCount: 1, lowStockCount: 0 });
    expect(result.summary.ordersByStatus).to.deep.equal({ pending: 4, processing: 0, shipped: 0, delivered: 0, cancelled: 1 });
    expect(result.topProducts).to.deep.equal([
      { productId: bag.id, title: 'Tas Kulit', units: 3, revenue: 750000 },
      { productId: pin.id, title: 'Pin Enamel', units: 4, revenue: 60000 },
    ]);
    expect(result.funnel.orders).to.equal(5);

    const weekly = await service.forSeller(caller, { from: '2026-11-16', to: '2026-11-29', granularity: 'week' }, new Date('2026-11-24T05:00:00Z'));
    expect(weekly.series).to.deep.equal([
      { start: '2026-11-16', revenue: 795000, orders: 3, units: 6 },
      { start: '2026-11-23', revenue: 15000, orders: 1, units: 1 },
    ]);
  });

  /** The day's funnel once the buffered counters were written (they flush every second). */
  async function funnelReaching(views: number, adds: number) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
    let funnel = { productViews: -1, addsToCart: -1 };
    for (let i = 0; i < 40; i++) {
      const res = await app.request('GET', `/seller/analytics?from=${today}&to=${today}`, { token: seller.token });
      expect(res.status).to.equal(200);
      funnel = res.body.funnel;
      if (funnel.productViews >= views && funnel.addsToCart >= adds) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return funnel;
  }

  it('should count a visitor once per product per day, views and adds to cart, in one row per product per day', async () => {
    const as = (agent: string) => ({ headers: { 'user-agent': agent } });
    for (let i = 0; i < 3; i++) await app.request('GET', `/products/${bag.id}`, as('browser one'));
    // named by its slug, still the bag's view
    expect((await app.request('GET', `/products/${bag.slug}`, as('browser two'))).status).to.equal(200);
    await app.request('GET', `/products/${pin.id}`, as('browser one'));
    // a shopper adding the same product again is still one add
    const buyer = await signUpCustomer(app);
    for (let i = 0; i < 3; i++) expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: bag.variants[0].id, quantity: 1 } })).status).to.equal(200);
    const funnel = await funnelReaching(3, 6);
    expect(funnel.productViews, 'two visitors of the bag, one of the pin').to.equal(3);
    expect(funnel.addsToCart, 'one add per order made in before(), one for the repeated adds').to.equal(6);
    const rows = await app.db.knex('productDailyStats').where({ productId: bag.id });
    expect(rows, 'one row per product per day, not one per view').to.have.length(1);
    expect(rows[0]).to.include({ views: 2 });
  });

  it('should not count the same visitor again after a flush, nor from another replica', async () => {
    const other = await startTestApp({ DATABASE_URL: app.config.databaseUrl!, COUNTER_FLUSH_MS: '20' });
    try {
      const before = await funnelReaching(3, 6);
      await app.request('GET', `/products/${bag.id}`, { headers: { 'user-agent': 'browser one' } });
      expect((await other.request('GET', `/products/${bag.id}`, { headers: { 'user-agent': 'browser one' } })).status).to.equal(200);
      await other.request('GET', `/products/${bag.id}`, { headers: { 'user-agent': 'browser three' } });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect((await funnelReaching(before.productViews + 1, 0)).productViews, 'only browser three is new').to.equal(before.productViews + 1);
    } finally {
      await other.close();
    }
  });

  it('should write buffered counts on a graceful stop', async () => {
    const replica = await startTestApp({ DATABASE_URL: app.config.databaseUrl!, COUNTER_FLUSH_MS: '600000' });
    const visitors = ['a', 'b', 'c', 'd'];
    await Promise.all(visitors.map((v) => replica.request('GET', `/products/${pin.id}`, { headers: { 'user-agent': `stopping ${v}` } })));
    const views = async () => (await app.db.knex('productDailyStats').where({ productId: pin.id }).sum({ n: 'views' }).first())!.n;
    const counted = Number(await views());
    await replica.platform.stop();
    expect(Number(await views()) - counted, 'all four written by the stop').to.equal(4);
    await replica.close();
  });

  it('should refuse a period that ends before it starts, and customers', async () => {
    const backwards = await app.request('GET', '/seller/analytics?from=2026-11-20&to=2026-11-10', { token: seller.token });
    expect(backwards.status).to.equal(422);
    expect((await app.request('GET', '/seller/analytics?from=20-11-2026', { token: seller.token })).status).to.equal(400);
    const customer = await signUpCustomer(app);
    expect((await app.request('GET', '/seller/analytics', { token: customer.token })).status).to.equal(403);
  });
});

describe('seller analytics rollups', () => {
  let db: TestDatabase;
  let storeIds: string[];
  let products: Array<{ id: string; storeId: string; variantId: string; title: string; price: number }>;
  let checkoutId: string;
  let userId: string;
  let seq = 0;
  // a seeded generator, so a failure can be replayed
  let seed = 20261126;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const STATUSES = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];
  // times around Jakarta midnights (17:00Z) and Los Angeles midnights (08:00Z, the second store's zone)
  const around = () => {
    const day = Date.parse('2026-11-10T00:00:00Z') + Math.floor(random() * 6) * 86_400_000;
    const edge = pick([17, 8, 0, 12]) * 3_600_000;
    return new Date(day + edge + Math.round((random() - 0.5) * 4 * 60_000));
  };

  async function placeOrders(trx: Knex, n: number, opts: { items?: boolean; storeOrder?: string[] } = {}) {
    const orders = Array.from({ length: n }, () => {
      const storeId = opts.storeOrder ? opts.storeOrder[seq % opts.storeOrder.length] : pick(storeIds);
      return { id: randomUUID(), storeId, status: pick(STATUSES), placedAt: around(), lines: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ product: pick(products.filter((p) => p.storeId === storeId)), quantity: 1 + Math.floor(random() * 4) })) };
    });
    await trx('orders').insert(
      orders.map((o) => {
        const subtotal = o.lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
        return { id: o.id, checkoutId, storeId: o.storeId, userId, number: `R-${++seq}-${randomUUID().slice(0, 8)}`, status: o.status, subtotal, shippingCost: 0, total: subtotal, shippingAddress: JSON.stringify({}), placedAt: o.placedAt };
      }),
    );
    if (opts.items === false) return orders;
    await insertItems(trx, orders);
    return orders;
  }

  async function insertItems(trx: Knex, orders: Array<{ id: string; lines: Array<{ product: (typeof products)[number]; quantity: number }> }>) {
    await trx('orderItems').insert(
      orders.flatMap((o) => o.lines.map((l) => ({ orderId: o.id, variantId: l.product.variantId, productId: l.product.id, title: l.product.title, options: JSON.stringify({}), sku: `S-${l.product.id.slice(0, 6)}`, unitPrice: l.product.price, quantity: l.quantity, lineTotal: l.product.price * l.quantity }))),
    );
  }

  /** The figures straight from orders and items: what the rollups must always equal. */
  async function raw() {
    const days = await db.knex.raw(`
      select o.store_id, cast(o.placed_at at time zone s.timezone as date) as day, count(*) as orders_placed,
        count(*) filter (where o.status <> 'cancelled') as orders, coalesce(sum(o.subtotal) filter (where o.status <> 'cancelled'), 0) as revenue,
        coalesce(sum((select sum(quantity) from order_items i where i.order_id = o.id)) filter (where o.status <> 'cancelled'), 0) as units
      from orders o join stores s on s.id = o.store_id group by 1, 2 order by 1, 2`);
    const productDays = await db.knex.raw(`
      select o.store_id, cast(o.placed_at at time zone s.timezone as date) as day, i.product_id, sum(i.quantity) as units, sum(i.line_total) as revenue, max(i.title) as title
      from orders o join stores s on s.id = o.store_id join order_items i on i.order_id = o.id where o.status <> 'cancelled' group by 1, 2, 3 order by 1, 2, 3`);
    const statuses = await db.knex.raw(`select store_id, status, count(*) as orders from orders group by 1, 2 order by 1, 2`);
    const sold = await db.knex.raw(`
      select p.id, coalesce(sum(i.quantity) filter (where o.status <> 'cancelled'), 0) as sold
      from products p left join order_items i on i.product_id = p.id left join orders o on o.id = i.order_id group by 1 order by 1`);
    return { days: days.rows, productDays: productDays.rows, statuses: statuses.rows, sold: sold.rows };
  }
  async function rollups() {
    // sold counts follow sales by the fold (a job): what it has not folded yet is still to come
    await foldSoldCounts(db.knex);
    const days = await db.knex.raw(`select store_id, day, orders_placed, orders, revenue, units from store_daily_sales where orders_placed <> 0 order by 1, 2`);
    const productDays = await db.knex.raw(`select store_id, day, product_id, units, revenue, title from product_daily_sales where units <> 0 order by 1, 2, 3`);
    const statuses = await db.knex.raw(`select store_id, status, orders from store_order_statuses where orders <> 0 order by 1, 2`);
    const sold = await db.knex.raw(`select id, sold_count as sold from products order by 1`);
    return { days: days.rows, productDays: productDays.rows, statuses: statuses.rows, sold: sold.rows };
  }
  const normal = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Date ? v.toISOString() : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)));

  before(async () => {
    db = await createTestDatabase();
    const [user] = await db.knex('users').insert({ email: `rollup-${randomUUID()}@pasar.test`, passwordHash: 'x', name: 'R', role: 'seller' }).returning('id');
    userId = user.id;
    const [category] = await db.knex('categories').insert({ slug: `rollup-${randomUUID()}`, nameId: 'Uji', nameEn: 'Test' }).returning('id');
    storeIds = [];
    products = [];
    for (const [i, timezone] of ['Asia/Jakarta', 'America/Los_Angeles'].entries()) {
      const [owner] = await db.knex('users').insert({ email: `owner-${i}-${randomUUID()}@pasar.test`, passwordHash: 'x', name: 'O', role: 'seller' }).returning('id');
      const [store] = await db.knex('stores').insert({ ownerId: owner.id, name: `Toko ${i}`, slug: `toko-rollup-${i}`, location: 'Jakarta', timezone }).returning('id');
      storeIds.push(store.id);
      for (let k = 0; k < 4; k++) {
        const title = `Produk ${i}-${k}`;
        const [product] = await db.knex('products').insert({ storeId: store.id, categoryId: category.id, title, slug: `rollup-${i}-${k}`, description: '', status: 'active' }).returning('id');
        const price = 1000 * (1 + k + i * 10);
        const [variant] = await db.knex('productVariants').insert({ productId: product.id, storeId: store.id, sku: `RV-${i}-${k}`, options: JSON.stringify({}), price, stock: 1000 }).returning('id');
        products.push({ id: product.id, storeId: store.id, variantId: variant.id, title, price });
      }
    }
    const [checkout] = await db.knex('checkouts').insert({ userId, idempotencyKey: 'rollups', requestHash: 'x', paymentMethod: 'cod', total: 0 }).returning('id');
    checkoutId = checkout.id;
  });
  after(async () => {
    await db?.destroy();
  });

  it('should equal the raw computation (sold counts too) on random orders across day boundaries, through cancellations, moves, late items and orders placed with their items', async () => {
    await placeOrders(db.knex, 150);
    // orders and their items in one statement, as a checkout places them: counted once
    const together = Array.from({ length: 20 }, () => {
      const product = pick(products);
      return { id: randomUUID(), storeId: product.storeId, status: pick(STATUSES), placedAt: around().toISOString(), product, quantity: 1 + Math.floor(random() * 4) };
    });
    await db.knex.raw(
      `with o as (
         insert into orders (id, checkout_id, store_id, user_id, number, status, subtotal, shipping_cost, total, shipping_address, placed_at)
         select x.id, :checkoutId, x.store_id, :userId, 'T-' || x.id, x.status, x.subtotal, 0, x.subtotal, '{}', x.placed_at
         from json_to_recordset(cast(:orders as json)) as x (id uuid, store_id uuid, status text, subtotal bigint, placed_at timestamptz)
       )
       insert into order_items (order_id, variant_id, product_id, title, options, sku, unit_price, quantity, line_total)
       select x.id, x.variant_id, x.product_id, x.title, '{}', 'T-' || x.id, x.price, x.quantity, x.price * x.quantity
       from json_to_recordset(cast(:orders as json)) as x (id uuid, variant_id uuid, product_id uuid, title text, price bigint, quantity int)`,
      {
        checkoutId,
        userId,
        orders: JSON.stringify(together.map((o) => ({ id: o.id, store_id: o.storeId, status: o.status, subtotal: o.product.price * o.quantity, placed_at: o.placedAt, variant_id: o.product.variantId, product_id: o.product.id, title: o.product.title, price: o.product.price, quantity: o.quantity }))),
      },
    );
    expect(normal(await rollups())).to.deep.equal(normal(await raw()));
    // orders whose items come in a later statement, some cancelled before their items arrive
    await db.knex.transaction(async (trx) => {
      const late = await placeOrders(trx, 30, { items: false });
      await trx('orders').whereIn('id', late.slice(0, 10).map((o) => o.id)).update({ status: 'cancelled' });
      await insertItems(trx, late);
    });
    const all = await db.knex('orders').pluck('id');
    for (let round = 0; round < 20; round++) {
      const some = all.filter(() => random() < 0.1);
      const change = pick(['status', 'move', 'both']);
      await db.knex('orders').whereIn('id', some).update({
        ...(change !== 'move' ? { status: pick(STATUSES) } : {}),
        ...(change !== 'status' ? { placedAt: around() } : {}),
      });
      // folded at any point, the counts come out the same
      if (random() < 0.3) await foldSoldCounts(db.knex);
    }
    expect(normal(await rollups())).to.deep.equal(normal(await raw()));
    expect((await rollups()).days.length, 'several local days in two zones').to.be.above(8);

    // a rebuild from scratch gives the same
    await rebuildSalesRollups(db.knex);
    expect(normal(await rollups())).to.deep.equal(normal(await raw()));
  });

  it('should stay exact under concurrent checkouts touching the same stores in any order, without deadlocks', async () => {
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) =>
        db.knex.transaction(async (trx) => {
          await placeOrders(trx, 5, { storeOrder: i % 2 ? storeIds : [...storeIds].reverse() });
          await trx('orders').whereIn('storeId', storeIds).where('status', 'pending').limit(1).select('id');
        }),
      ),
      // the job folding meanwhile
      ...Array.from({ length: 4 }, () => foldSoldCounts(db.knex)),
    ]);
    expect(normal(await rollups())).to.deep.equal(normal(await raw()));
  });

  it('should put an order on the local day of its store: 16:59Z and 17:00Z are two Jakarta days', async () => {
    const jakarta = storeIds[0];
    const mine = products.find((p) => p.storeId === jakarta)!;
    const before = await db.knex('storeDailySales').where({ storeId: jakarta }).whereIn('day', ['2026-12-01', '2026-12-02']).orderBy('day');
    expect(before).to.deep.equal([]);
    for (const at of ['2026-12-01T16:59:59Z', '2026-12-01T17:00:00Z']) {
      const id = randomUUID();
      await db.knex('orders').insert({ id, checkoutId, storeId: jakarta, userId, number: `B-${at}`, status: 'pending', subtotal: mine.price, shippingCost: 0, total: mine.price, shippingAddress: JSON.stringify({}), placedAt: new Date(at) });
      await insertItems(db.knex, [{ id, lines: [{ product: mine, quantity: 1 }] }]);
    }
    const rows = await db.knex('storeDailySales').where({ storeId: jakarta }).whereIn('day', ['2026-12-01', '2026-12-02']).orderBy('day').select('ordersPlaced', 'units');
    expect(rows).to.deep.equal([{ ordersPlaced: 1, units: 1 }, { ordersPlaced: 1, units: 1 }]);
  });

  it("should leave the product row alone during a sale and fold its units into the sold count later, once, with a product-changed event", async () => {
    const product = products[0];
    await foldSoldCounts(db.knex);
    const soldCount = async () => (await db.knex('products').where({ id: product.id }).first()).soldCount as number;
    const events = async () => Number((await db.knex('outbox').where({ topic: 'catalog.product-changed' }).whereRaw("payload->>'productId' = ?", [product.id]).count({ n: '*' }).first())!.n);
    const [before, eventsBefore] = [await soldCount(), await events()];
    const id = randomUUID();
    const sale = await db.knex.transaction();
    try {
      await sale('orders').insert({ id, checkoutId, storeId: product.storeId, userId, number: `F-${id}`, status: 'pending', subtotal: product.price * 2, shippingCost: 0, total: product.price * 2, shippingAddress: JSON.stringify({}), placedAt: new Date() });
      await insertItems(sale, [{ id, lines: [{ product, quantity: 2 }] }]);
      // the seller edits the product while the sale is open: nothing waits for the sale
      await db.knex.transaction(async (edit) => {
        await edit.raw(`set local lock_timeout = '1s'`);
        await edit('products').where({ id: product.id }).update({ title: product.title });
      });
      // a fold meanwhile does not see the open sale, and leaves its units for the next fold
      expect(await foldSoldCounts(db.knex)).to.equal(0);
      await sale.commit();
    } catch (err) {
      await sale.rollback();
      throw err;
    }
    expect(await soldCount(), 'not written by the sale').to.equal(before);
    expect(await foldSoldCounts(db.knex)).to.equal(1);
    expect(await soldCount()).to.equal(before + 2);
    expect(await foldSoldCounts(db.knex), 'folded once').to.equal(0);
    expect(await soldCount()).to.equal(before + 2);
    expect(await events(), 'a search engine hears of the new count').to.equal(eventsBefore + 1);
    // a cancellation takes the units off at the next fold
    await db.knex('orders').where({ id }).update({ status: 'cancelled' });
    expect(await soldCount()).to.equal(before + 2);
    expect(await foldSoldCounts(db.knex)).to.equal(1);
    expect(await soldCount()).to.equal(before);
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AnalyticsService } from '../src/modules/analytics/service.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

describe('GET /seller/analytics', () => {
  let app: TestApp;
  let seller: Session;
  let bag: { id: string; variants: Array<{ id: string }> };
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
    await app.request('GET', `/products/${bag.id}`, as('browser two'));
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

import { expect } from 'chai';
import { relayOutbox } from '../src/modules/outbox/relay.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';
import { categories, createProduct, signUpSeller, type Session } from './support/fixtures.ts';

describe('inventory', () => {
  let app: TestApp;
  let seller: Session;
  let product: { id: string; variants: Array<{ id: string; sku: string }> };

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    seller = await signUpSeller(app, 'Gudang Kopi');
    product = await createProduct(app, seller, {
      title: 'Kopi Gayo',
      categoryId: cats.kopi,
      status: 'active',
      options: [{ name: 'Berat', values: ['250g', '500g', '1kg'] }],
      variants: [
        { options: { Berat: '250g' }, price: 60000, stock: 30 },
        { options: { Berat: '500g' }, price: 110000, stock: 4 },
        { options: { Berat: '1kg' }, price: 200000, stock: 0, lowStockThreshold: 5 },
      ],
    });
  });
  after(async () => {
    await app?.close();
  });

  const stocks = async () => (await app.db.knex('productVariants').where({ productId: product.id }).orderBy('position')).map((v) => v.stock);

  describe('GET /seller/inventory', () => {
    it('should list one row per variant with its status, filtered by status', async () => {
      const all = await app.request('GET', '/seller/inventory', { token: seller.token });
      expect(all.body.total).to.equal(3);
      const bySku = Object.fromEntries(all.body.items.map((r: { sku: string; status: string }) => [r.sku, r.status]));
      expect(Object.values(bySku).sort()).to.deep.equal(['low', 'ok', 'out']);
      for (const [status, sku] of [['ok', product.variants[0].sku], ['low', product.variants[1].sku], ['out', product.variants[2].sku]]) {
        const res = await app.request('GET', `/seller/inventory?status=${status}`, { token: seller.token });
        expect(res.body.items.map((r: { sku: string }) => r.sku), status).to.deep.equal([sku]);
      }
      const row = all.body.items.find((r: { sku: string }) => r.sku === product.variants[1].sku);
      expect(row).to.include({ productId: product.id, title: 'Kopi Gayo', price: 110000, stock: 4, lowStockThreshold: 10 });
      expect(row.options).to.deep.equal({ Berat: '500g' });
    });
  });

  describe('PATCH /seller/inventory', () => {
    it('should apply every change or none: a result below zero is a 422 naming the variant', async () => {
      const before = await stocks();
      const res = await app.request('PATCH', '/seller/inventory', {
        token: seller.token,
        body: { items: [{ variantId: product.variants[0].id, stock: 99 }, { variantId: product.variants[1].id, delta: -5 }] },
      });
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.have.length(1);
      expect(res.body.errors[0].pointer).to.equal('/items/1/delta');
      expect(res.body.errors[0].message).to.include(product.variants[1].sku);
      expect(await stocks()).to.deep.equal(before);
    });

    it('should set and adjust stock, record who changed what and why, and alert once when crossing below the threshold', async () => {
      await app.db.knex('outbox').delete();
      const res = await app.request('PATCH', '/seller/inventory', {
        token: seller.token,
        body: { items: [{ variantId: product.variants[0].id, delta: -25 }, { variantId: product.variants[2].id, stock: 12 }] },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.items.map((r: { stock: number; status: string }) => [r.stock, r.status]).sort()).to.deep.equal([[12, 'ok'], [5, 'low']].sort());

      const history = await app.db.knex('stockMovements').whereIn('variantId', [product.variants[0].id, product.variants[2].id]).orderBy('createdAt');
      expect(history.map((h) => [h.oldStock, h.newStock, h.reason, h.actorId])).to.deep.include.members([
        [30, 5, 'manual', seller.userId],
        [0, 12, 'manual', seller.userId],
      ]);
      const alerts = await app.db.knex('outbox').where({ topic: 'inventory.low-stock' });
      expect(alerts.map((a) => a.payload)).to.deep.equal([
        { variantId: product.variants[0].id, productId: product.id, storeId: seller.storeId, stock: 5, threshold: 10 },
      ]);

      // already below: selling more is no new crossing
      await app.request('PATCH', '/seller/inventory', { token: seller.token, body: { items: [{ variantId: product.variants[0].id, delta: -1 }] } });
      expect(await countRows(app.db.knex, 'outbox', (q) => q.where({ topic: 'inventory.low-stock' }))).to.equal(1);
    });

    it('should tell the search index through the outbox', async () => {
      await app.db.knex('outbox').delete();
      await app.request('PATCH', '/seller/inventory', { token: seller.token, body: { items: [{ variantId: product.variants[1].id, stock: 0 }] } });
      const synced: string[] = [];
      const delivered = await relayOutbox(app.db.knex, { 'catalog.product-changed': async (row) => void synced.push(row.payload.productId) });
      expect(delivered).to.equal(1);
      expect(synced).to.deep.equal([product.id]);
      expect(await relayOutbox(app.db.knex, { 'catalog.product-changed': async () => {} }), 'delivered once').to.equal(0);
    });

    it('should add up several changes to one variant', async () => {
      const before = (await stocks())[0];
      const res = await app.request('PATCH', '/seller/inventory', {
        token: seller.token,
        body: { items: [{ variantId: product.variants[0].id, delta: 2 }, { variantId: product.variants[0].id, delta: 3 }] },
      });
      expect(res.status).to.equal(200);
      expect((await stocks())[0]).to.equal(before + 5);
    });
  });
});

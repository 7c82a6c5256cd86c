import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

const address = { recipient: 'Budi Santoso', phone: '081234567890', street: 'Jl. Malioboro 12', city: 'Yogyakarta', province: 'DI Yogyakarta', postalCode: '55213' };

describe('edits never undo sales', () => {
  let app: TestApp;
  let seller: Session;
  let cats: Record<string, string>;

  before(async () => {
    app = await startTestApp();
    cats = await categories(app);
    seller = await signUpSeller(app, 'Toko Aman');
  });
  after(async () => {
    await app?.close();
  });

  const stockOf = async (variantId: string) => (await app.db.knex('productVariants').where({ id: variantId }).first()).stock as number;
  const getProduct = (id: string) => app.request('GET', `/seller/products/${id}`, { token: seller.token });
  const sell = async (variantId: string, quantity: number) => {
    const buyer = await signUpCustomer(app);
    await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } });
    const res = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { shippingAddress: address, paymentMethod: 'cod' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };

  describe('PATCH /seller/products/{id}', () => {
    it('should not put sold stock back on sale when a form loaded before the sale changes only the price', async () => {
      const product = await createProduct(app, seller, { title: 'Tas Anyaman', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 90000, stock: 10, lowStockThreshold: 3 }] });
      const form = (await getProduct(product.id)).body;
      await sell(product.variants[0].id, 3);
      const variant = form.variants[0];
      // what an old form sends back: every field as loaded, the price changed
      const res = await app.request('PATCH', `/seller/products/${product.id}`, {
        token: seller.token,
        body: { variants: [{ id: variant.id, options: variant.options, price: 95000, stock: variant.stock, sku: variant.sku }] },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.variants[0]).to.include({ price: 95000, stock: 7, lowStockThreshold: 3 });
      expect(await stockOf(variant.id)).to.equal(7);
    });

    it('should keep a custom lowStockThreshold when the PATCH leaves it out (no defaults injected)', async () => {
      const product = await createProduct(app, seller, { title: 'Topi Bambu', categoryId: cats.fesyen, variants: [{ options: {}, price: 50000, stock: 20, lowStockThreshold: 3 }] });
      const res = await app.request('PATCH', `/seller/products/${product.id}`, {
        token: seller.token,
        body: { variants: [{ id: product.variants[0].id, price: 52000 }] },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.variants[0]).to.include({ price: 52000, lowStockThreshold: 3, stock: 20 });
      const title = await app.request('PATCH', `/seller/products/${product.id}`, { token: seller.token, body: { title: 'Topi Bambu Besar' } });
      expect(title.body.variants[0]).to.include({ lowStockThreshold: 3 });
      expect(title.body.description).to.equal('');
    });

    it('should answer a strong ETag that changes with a sale, and refuse a stale If-Match with 412 and the current product, changing nothing', async () => {
      const product = await createProduct(app, seller, { title: 'Kain Tenun', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 300000, stock: 5 }] });
      const first = await getProduct(product.id);
      const etag = first.headers.get('etag')!;
      expect(etag).to.match(/^"[^"]+"$/);
      expect((await getProduct(product.id)).headers.get('etag'), 'stable while nothing changes').to.equal(etag);
      await sell(product.variants[0].id, 1);
      const after = await getProduct(product.id);
      expect(after.headers.get('etag')).to.not.equal(etag);

      const stale = await app.request('PATCH', `/seller/products/${product.id}`, { token: seller.token, headers: { 'if-match': etag }, body: { title: 'Kain Tenun Ikat' } });
      expect(stale.status).to.equal(412);
      expect(stale.body).to.deep.equal(after.body);
      expect(stale.headers.get('etag')).to.equal(after.headers.get('etag'));
      expect((await getProduct(product.id)).body.title).to.equal('Kain Tenun');

      const fresh = await app.request('PATCH', `/seller/products/${product.id}`, { token: seller.token, headers: { 'if-match': after.headers.get('etag')! }, body: { title: 'Kain Tenun Ikat' } });
      expect(fresh.status).to.equal(200);
      expect(fresh.body.title).to.equal('Kain Tenun Ikat');
      expect(fresh.headers.get('etag')).to.equal((await getProduct(product.id)).headers.get('etag'));
    });

    it('should let exactly one of two edits based on the same ETag win', async () => {
      const product = await createProduct(app, seller, { title: 'Piring Lurik', categoryId: cats.fesyen, variants: [{ options: {}, price: 40000, stock: 5 }] });
      const etag = (await getProduct(product.id)).headers.get('etag')!;
      const answers = await Promise.all(
        [41000, 42000].map((price) =>
          app.request('PATCH', `/seller/products/${product.id}`, { token: seller.token, headers: { 'if-match': etag }, body: { variants: [{ id: product.variants[0].id, price }] } }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 412]);
    });
  });

  describe('PATCH /seller/inventory with expectedStock', () => {
    it('should refuse the whole batch with 409 naming the current stock when a stock moved, and change nothing', async () => {
      const product = await createProduct(app, seller, {
        title: 'Gelas Bambu',
        categoryId: cats.fesyen,
        status: 'active',
        options: [{ name: 'Ukuran', values: ['S', 'L'] }],
        variants: [{ options: { Ukuran: 'S' }, price: 20000, stock: 10 }, { options: { Ukuran: 'L' }, price: 25000, stock: 10 }],
      });
      const [small, large] = product.variants;
      await sell(large.id, 2);
      const res = await app.request('PATCH', '/seller/inventory', {
        token: seller.token,
        body: { items: [{ variantId: small.id, stock: 15, expectedStock: 10 }, { variantId: large.id, stock: 15, expectedStock: 10 }] },
      });
      expect(res.status).to.equal(409);
      expect(res.body.currentStock).to.deep.equal([{ variantId: large.id, sku: large.sku, expectedStock: 10, stock: 8 }]);
      expect(res.body.errors).to.deep.equal([{ pointer: '/items/1/expectedStock', message: 'is 8 now' }]);
      expect(await stockOf(small.id)).to.equal(10);
      expect(await stockOf(large.id)).to.equal(8);
      const ok = await app.request('PATCH', '/seller/inventory', { token: seller.token, body: { items: [{ variantId: large.id, stock: 15, expectedStock: 8 }] } });
      expect(ok.status).to.equal(200);
      expect(await stockOf(large.id)).to.equal(15);
    });
  });

  describe('query parameter defaults', () => {
    it('should come from the spec when left out', async () => {
      const res = await app.request('GET', '/seller/products', { token: seller.token });
      expect(res.body).to.include({ page: 1, pageSize: 24 });
    });
  });
});

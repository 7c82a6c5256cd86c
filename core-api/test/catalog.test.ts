import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

describe('seller products', () => {
  let app: TestApp;
  let cats: Record<string, string>;
  let sellerA: Session;
  let sellerB: Session;

  before(async () => {
    app = await startTestApp();
    cats = await categories(app);
    sellerA = await signUpSeller(app, 'Sepatu Bandung');
    sellerB = await signUpSeller(app, 'Kopi Gayo');
  });
  after(async () => {
    await app?.close();
  });

  const shirt = () => ({
    title: 'Kemeja Batik Parang',
    description: 'Katun primisima',
    categoryId: cats.kemeja,
    status: 'active',
    specifications: [{ label: 'Bahan', value: 'Katun' }],
    options: [
      { name: 'Ukuran', values: ['M', 'L'] },
      { name: 'Warna', values: ['Biru', 'Coklat'] },
    ],
    variants: [
      { options: { Ukuran: 'M', Warna: 'Biru' }, price: 150000, stock: 5 },
      { options: { Ukuran: 'L', Warna: 'Biru' }, price: 160000, stock: 0 },
      { options: { Ukuran: 'M', Warna: 'Coklat' }, price: 150000, stock: 20, lowStockThreshold: 3 },
    ],
  });

  describe('POST /seller/products', () => {
    it('should create a product with its variants, generated SKUs and price range', async () => {
      const body = shirt();
      body.variants[1] = { ...body.variants[1], sku: 'KBP-L-BIRU' } as never;
      const product = await createProduct(app, sellerA, body);
      expect(product).to.include({ title: 'Kemeja Batik Parang', slug: 'kemeja-batik-parang', status: 'active', priceMin: 150000, priceMax: 160000 });
      expect(product.variants).to.have.length(3);
      expect(product.variants.map((v: { id: string }) => v.id).every(Boolean)).to.equal(true);
      const skus = product.variants.map((v: { sku: string }) => v.sku);
      expect(skus).to.include('KBP-L-BIRU');
      expect(new Set(skus).size).to.equal(3);
      expect(product.variants.map((v: { stockStatus: string }) => v.stockStatus)).to.deep.equal(['low', 'out', 'ok']);
    });

    it('should give a product without options exactly one variant with empty options', async () => {
      const product = await createProduct(app, sellerA, { title: 'Kaos Kaki Polos', categoryId: cats.fesyen, variants: [{ options: {}, price: 15000, stock: 100 }] });
      expect(product.variants).to.have.length(1);
      expect(product.variants[0].options).to.deep.equal({});
      expect(product.status).to.equal('draft');
      const two = await app.request('POST', '/seller/products', {
        token: sellerA.token,
        body: { title: 'Kaos Kaki', categoryId: cats.fesyen, variants: [{ options: {}, price: 1, stock: 1 }, { options: {}, price: 2, stock: 1 }] },
      });
      expect(two.status).to.equal(422);
      expect(two.body.errors).to.deep.include({ pointer: '/variants', message: 'a product without options has exactly one variant' });
    });

    it('should refuse variants that miss an option, use an unknown value or repeat a combination, naming each', async () => {
      const body = shirt();
      body.variants = [
        { options: { Ukuran: 'M' } as never, price: 1, stock: 1 },
        { options: { Ukuran: 'XXL', Warna: 'Biru' }, price: 1, stock: 1 },
        { options: { Ukuran: 'L', Warna: 'Biru' }, price: 1, stock: 1 },
        { options: { Ukuran: 'L', Warna: 'Biru' }, price: 1, stock: 1 },
        { options: { Ukuran: 'L', Warna: 'Coklat', Bahan: 'Katun' } as never, price: 1, stock: 1 },
      ];
      const res = await app.request('POST', '/seller/products', { token: sellerA.token, body });
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.deep.include.members([
        { pointer: '/variants/0/options', message: 'needs a value for Warna' },
        { pointer: '/variants/1/options/Ukuran', message: 'must be one of: M, L' },
        { pointer: '/variants/3/options', message: 'repeats the combination of variant 2' },
        { pointer: '/variants/4/options/Bahan', message: 'is not an option of this product' },
      ]);
    });

    it('should refuse a non-integer price, a negative stock and an unknown category', async () => {
      const bad = shirt();
      bad.variants[0] = { ...bad.variants[0], price: 1500.5, stock: -1 };
      const res = await app.request('POST', '/seller/products', { token: sellerA.token, body: bad });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include.members(['/variants/0/price', '/variants/0/stock']);
      const unknown = await app.request('POST', '/seller/products', { token: sellerA.token, body: { ...shirt(), categoryId: '00000000-0000-4000-8000-000000000000' } });
      expect(unknown.status).to.equal(422);
      expect(unknown.body.errors).to.deep.equal([{ pointer: '/categoryId', message: 'is not a category' }]);
    });

    it('should keep SKUs unique per store but allow the same SKU in another store', async () => {
      const one = { title: 'Kopi Arabika', categoryId: cats.kopi, variants: [{ options: {}, price: 90000, stock: 3, sku: 'KOPI-1' }] };
      await createProduct(app, sellerB, one);
      const again = await app.request('POST', '/seller/products', { token: sellerB.token, body: { ...one, title: 'Kopi Robusta' } });
      expect(again.status).to.equal(409);
      await createProduct(app, sellerA, { ...one, title: 'Kopi Sepatu' });
    });

    it('should refuse customers', async () => {
      const customer = await signUpCustomer(app);
      expect((await app.request('POST', '/seller/products', { token: customer.token, body: shirt() })).status).to.equal(403);
    });
  });

  describe('ownership', () => {
    it("should answer 404 for another store's product, image and inventory row, and change nothing", async () => {
      const product = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Milik A' });
      const id = product.id;
      expect((await app.request('GET', `/seller/products/${id}`, { token: sellerB.token })).status).to.equal(404);
      expect((await app.request('PATCH', `/seller/products/${id}`, { token: sellerB.token, body: { title: 'Dicuri' } })).status).to.equal(404);
      expect((await app.request('DELETE', `/seller/products/${id}`, { token: sellerB.token })).status).to.equal(404);
      expect((await app.request('PUT', `/seller/products/${id}/images/order`, { token: sellerB.token, body: { imageIds: [] } })).status).to.equal(404);
      const stock = await app.request('PATCH', '/seller/inventory', { token: sellerB.token, body: { items: [{ variantId: product.variants[0].id, stock: 0 }] } });
      expect(stock.status).to.equal(404);
      const list = await app.request('GET', '/seller/products?pageSize=100', { token: sellerB.token });
      expect(list.body.items.map((p: { id: string }) => p.id)).to.not.include(id);
      const unchanged = await app.request('GET', `/seller/products/${id}`, { token: sellerA.token });
      expect(unchanged.body.title).to.equal('Kemeja Milik A');
      expect(unchanged.body.variants[0].stock).to.equal(5);
    });

    it('should answer 400 for an id that is not an id', async () => {
      const res = await app.request('GET', '/seller/products/not-a-uuid', { token: sellerA.token });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ parameter: 'id', message: 'must be a UUID' }]);
    });
  });

  describe('PATCH /seller/products/{id}', () => {
    it('should change fields, change variants by id, add new ones and remove the missing', async () => {
      const product = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Diubah' });
      const [m, l, mc] = product.variants;
      const res = await app.request('PATCH', `/seller/products/${product.id}`, {
        token: sellerA.token,
        body: {
          title: 'Kemeja Batik Parang Baru',
          variants: [
            { id: m.id, options: { Ukuran: 'M', Warna: 'Biru' }, price: 155000, stock: 7 },
            { id: mc.id, options: { Ukuran: 'M', Warna: 'Coklat' }, price: 150000, stock: 20 },
            { options: { Ukuran: 'L', Warna: 'Coklat' }, price: 170000, stock: 2 },
          ],
        },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.title).to.equal('Kemeja Batik Parang Baru');
      expect(res.body.slug).to.equal('kemeja-batik-parang-baru');
      expect(res.body.variants.map((v: { id: string }) => v.id)).to.include.members([m.id, mc.id]).and.not.include(l.id);
      expect(res.body.variants).to.have.length(3);
      expect(res.body).to.include({ priceMin: 150000, priceMax: 170000 });
      expect(await countRows(app.db.knex, 'product_variants', (q) => q.where({ id: l.id })), 'never ordered: deleted').to.equal(0);
      const byId = Object.fromEntries(res.body.variants.map((v: { id: string; stock: number }) => [v.id, v.stock]));
      expect(byId[m.id], 'an existing variant keeps its stock: PATCH does not write it').to.equal(m.stock);
      expect(res.body.variants.find((v: { options: { Warna: string; Ukuran: string } }) => v.options.Ukuran === 'L').stock, 'a new variant sets its initial stock').to.equal(2);
      expect(await countRows(app.db.knex, 'stock_movements', (q) => q.where({ variantId: m.id }))).to.equal(0);
    });

    it('should refuse a variant id of another product', async () => {
      const a = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Satu' });
      const b = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Dua' });
      const res = await app.request('PATCH', `/seller/products/${a.id}`, {
        token: sellerA.token,
        body: { variants: [{ id: b.variants[0].id, options: { Ukuran: 'M', Warna: 'Biru' }, price: 1, stock: 1 }] },
      });
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.deep.include({ pointer: '/variants/0/id', message: 'is not a variant of this product' });
    });
  });

  describe('DELETE /seller/products/{id}', () => {
    it('should delete a product never ordered', async () => {
      const product = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Dihapus' });
      expect((await app.request('DELETE', `/seller/products/${product.id}`, { token: sellerA.token })).status).to.equal(204);
      expect((await app.request('GET', `/seller/products/${product.id}`, { token: sellerA.token })).status).to.equal(404);
    });

    it('should archive, not delete, a product and a variant that were ever ordered', async () => {
      const product = await createProduct(app, sellerA, { ...shirt(), title: 'Kemeja Pernah Dibeli' });
      const buyer = await signUpCustomer(app);
      const knex = app.db.knex;
      const [checkout] = await knex('checkouts')
        .insert({ userId: buyer.userId, idempotencyKey: 'k', requestHash: 'h', paymentMethod: 'cod', total: 160000 })
        .returning('id');
      const [order] = await knex('orders')
        .insert({ checkoutId: checkout.id, storeId: sellerA.storeId, userId: buyer.userId, number: `PSR-T-${Date.now()}`, subtotal: 150000, shippingCost: 10000, total: 160000, shippingAddress: '{}' })
        .returning('id');
      const ordered = product.variants[0];
      await knex('orderItems').insert({ orderId: order.id, variantId: ordered.id, productId: product.id, title: product.title, sku: ordered.sku, unitPrice: 150000, quantity: 1, lineTotal: 150000 });

      const patch = await app.request('PATCH', `/seller/products/${product.id}`, {
        token: sellerA.token,
        body: { variants: [{ id: product.variants[1].id, options: { Ukuran: 'L', Warna: 'Biru' }, price: 160000, stock: 1 }, { id: product.variants[2].id, options: { Ukuran: 'M', Warna: 'Coklat' }, price: 150000, stock: 1 }] },
      });
      expect(patch.status).to.equal(200);
      const variantRow = await knex('productVariants').where({ id: ordered.id }).first();
      expect(variantRow.archivedAt, 'the ordered variant is archived').to.be.instanceOf(Date);

      expect((await app.request('DELETE', `/seller/products/${product.id}`, { token: sellerA.token })).status).to.equal(204);
      const row = await knex('products').where({ id: product.id }).first();
      expect(row.status).to.equal('archived');
      expect(await countRows(knex, 'order_items', (q) => q.where({ productId: product.id }))).to.equal(1);
    });
  });

  describe('GET /seller/products', () => {
    it('should list only the seller own products, filtered by status and text, paginated with a total', async () => {
      const seller = await signUpSeller(app, 'Toko Daftar');
      for (const [i, status] of ['active', 'draft', 'active'].entries()) {
        await createProduct(app, seller, { title: `Sandal Jepit ${i}`, categoryId: cats.sepatu, status, variants: [{ options: {}, price: 10000 + i, stock: 1 }] });
      }
      const active = await app.request('GET', '/seller/products?status=active&pageSize=1', { token: seller.token });
      expect(active.body.total).to.equal(2);
      expect(active.body.items).to.have.length(1);
      const text = await app.request('GET', '/seller/products?q=jepit%201', { token: seller.token });
      expect(text.body.items.map((p: { title: string }) => p.title)).to.deep.equal(['Sandal Jepit 1']);
      expect((await app.request('GET', '/seller/products?pageSize=101', { token: seller.token })).status).to.equal(400);
      expect((await app.request('GET', '/seller/products?page=0', { token: seller.token })).status).to.equal(400);
    });
  });
});

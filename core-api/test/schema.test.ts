import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationsDirectory } from '../src/platform/db/knex.ts';
import { DEMO_LOGINS, seedDemo } from '../../seeds/demo.ts';
import { createTestDatabase, countRows, type TestDatabase } from './support/db.ts';
import { createTestStorage } from './support/storage.ts';

async function rejects(query: Promise<unknown>, constraint: RegExp): Promise<void> {
  try {
    await query;
  } catch (err) {
    const e = err as { constraint?: string; message: string };
    expect(`${e.constraint ?? ''} ${e.message}`).to.match(constraint);
    return;
  }
  expect.fail('the database accepted a row it must refuse');
}

describe('schema and demo seed', () => {
  let db: TestDatabase;
  let storage: Awaited<ReturnType<typeof createTestStorage>>;
  let knex: Knex;

  before(async function () {
    this.timeout(120_000);
    db = await createTestDatabase();
    knex = db.knex;
    storage = await createTestStorage();
    await seedDemo({ knex, storage });
  });
  after(async () => {
    await storage?.destroy();
    await db?.destroy();
  });

  describe('the demo seed', () => {
    it('should make the stores, categories, products, variants and shoppers the README promises', async () => {
      const stores = await knex('stores').select('location');
      expect(new Set(stores.map((s) => s.location)).size, 'stores in different cities').to.be.at.least(3);
      expect(await countRows(knex, 'categories', (q) => q.whereNull('parentId'))).to.be.at.least(5);
      expect(await countRows(knex, 'categories', (q) => q.whereNotNull('parentId'))).to.be.at.least(10);
      expect(await countRows(knex, 'products', (q) => q.where({ status: 'active' }))).to.be.within(35, 50);
      expect(await countRows(knex, 'product_variants')).to.be.above(80);
      expect(await countRows(knex, 'product_variants', (q) => q.where({ stock: 0 })), 'some sold out').to.be.above(0);
      expect(await countRows(knex, 'product_variants', (q) => q.where('stock', '>', 0).andWhere('stock', '<', 10)), 'some low').to.be.above(0);
      expect(await countRows(knex, 'users', (q) => q.where({ role: 'customer' }))).to.equal(2);
      expect(await countRows(knex, 'stores', (q) => q.whereNull('cityCode'))).to.equal(0);
      expect(await countRows(knex, 'addresses', (q) => q.where({ isDefault: true }))).to.equal(2);
      const logins = await knex('users').pluck('email');
      for (const login of DEMO_LOGINS) expect(logins).to.include(login.email);
    });

    it('should store a real JPEG photo and thumbnail for every product', async () => {
      const withoutImages = await knex('products').whereNotExists(knex('productImages').whereRaw('product_images.product_id = products.id'));
      expect(withoutImages).to.have.length(0);
      const image = await knex('productImages').first();
      const full = await storage.get(image.objectKey);
      const thumb = await storage.get(image.thumbnailKey);
      expect(full?.body.subarray(0, 3).toString('hex')).to.equal('ffd8ff');
      expect(thumb?.body.length).to.be.below(full!.body.length);
      expect(image.sizeBytes).to.equal(full!.body.length);
    });

    it('should give each product price range the range of its variants', async () => {
      const wrong = await knex('products as p')
        .join(knex('productVariants').select('productId').min('price as low').max('price as high').groupBy('productId').as('v'), 'v.productId', 'p.id')
        .whereRaw('p.price_min <> v.low or p.price_max <> v.high');
      expect(wrong).to.have.length(0);
    });
  });

  describe('constraints that keep data true', () => {
    const anyVariant = () => knex('productVariants').first();

    it('should refuse negative stock', async () => {
      const v = await anyVariant();
      await rejects(knex('productVariants').where({ id: v.id }).update({ stock: -1 }), /product_variants_stock_check/);
    });

    it('should refuse a cart line of quantity 0', async () => {
      const user = await knex('users').where({ role: 'customer' }).first();
      const [cart] = await knex('carts').insert({ userId: user.id }).returning('id');
      const v = await anyVariant();
      await rejects(knex('cartItems').insert({ cartId: cart.id, variantId: v.id, quantity: 0, unitPriceAtAdd: v.price }), /cart_items_quantity_check/);
    });

    it('should refuse a second account with the same email in another case', async () => {
      await rejects(knex('users').insert({ email: 'BUDI@pasar.test', passwordHash: 'x', name: 'B', role: 'customer' }), /users_email_lower_unique/);
    });

    it('should refuse a SKU used twice in one store, and allow it in another', async () => {
      const v = await anyVariant();
      await rejects(knex('productVariants').insert({ productId: v.productId, storeId: v.storeId, sku: v.sku, price: 1, stock: 1 }), /product_variants_store_id_sku_unique/);
      const other = await knex('stores').whereNot({ id: v.storeId }).first();
      const product = await knex('products').where({ storeId: other.id }).first();
      await knex('productVariants').insert({ productId: product.id, storeId: other.id, sku: v.sku, price: 1, stock: 1 });
    });

    it('should refuse a rating outside 1..5 and a second review of one product by one shopper', async () => {
      const user = await knex('users').where({ role: 'customer' }).first();
      const v = await anyVariant();
      const [checkout] = await knex('checkouts')
        .insert({ userId: user.id, idempotencyKey: 'k1', requestHash: 'h', paymentMethod: 'cod', total: 100 })
        .returning('id');
      const [order] = await knex('orders')
        .insert({ checkoutId: checkout.id, storeId: v.storeId, userId: user.id, number: 'PSR-TEST-1', subtotal: 90, shippingCost: 10, total: 100, shippingAddress: '{}' })
        .returning('id');
      const review = { productId: v.productId, userId: user.id, orderId: order.id, comment: 'Bagus' };
      await rejects(knex('reviews').insert({ ...review, rating: 6 }), /reviews_rating_check/);
      await knex('reviews').insert({ ...review, rating: 5 });
      await rejects(knex('reviews').insert({ ...review, rating: 4 }), /reviews_product_id_user_id_unique/);
    });

    it('should refuse an order whose total is not its subtotal plus shipping', async () => {
      const user = await knex('users').where({ role: 'customer' }).first();
      const store = await knex('stores').first();
      const [checkout] = await knex('checkouts')
        .insert({ userId: user.id, idempotencyKey: 'k2', requestHash: 'h', paymentMethod: 'ovo', total: 100 })
        .returning('id');
      await rejects(
        knex('orders').insert({ checkoutId: checkout.id, storeId: store.id, userId: user.id, number: 'PSR-TEST-2', subtotal: 90, shippingCost: 5, total: 100, shippingAddress: '{}' }),
        /orders_money_check/,
      );
    });
  });

  describe('migrations', () => {
    it('should roll all the way down and up again', async function () {
      this.timeout(60_000);
      const fresh = await createTestDatabase();
      try {
        const config = { directory: migrationsDirectory, loadExtensions: ['.ts'] };
        await fresh.knex.migrate.rollback(config, true);
        expect(await fresh.knex.schema.hasTable('users')).to.equal(false);
        await fresh.knex.migrate.latest(config);
        expect(await fresh.knex.schema.hasTable('outbox')).to.equal(true);
      } finally {
        await fresh.destroy();
      }
    });

    it('should move stores from free-text cities onto region codes', async function () {
      this.timeout(60_000);
      const fresh = await createTestDatabase();
      try {
        const config = { directory: migrationsDirectory, loadExtensions: ['.ts'] };
        // back to just before the regions migration, with stores as they were
        while ((await fresh.knex.migrate.currentVersion(config)) >= '20261126001001') await fresh.knex.migrate.down(config);
        const cities = ['Yogyakarta', 'kota bandung', 'Sleman', 'DKI Jakarta', 'Atlantis'];
        for (const [i, location] of cities.entries()) {
          const [user] = await fresh.knex('users').insert({ email: `s${i}@pasar.test`, passwordHash: 'x', name: 'S', role: 'seller' }).returning('id');
          await fresh.knex('stores').insert({ ownerId: user.id, name: `S${i}`, slug: `s${i}`, location });
        }
        await fresh.knex.migrate.latest(config);
        const rows = await fresh.knex('stores').orderBy('slug').select('location', 'cityCode');
        expect(rows).to.deep.equal([
          { location: 'Kota Yogyakarta', cityCode: '34.71' },
          { location: 'Kota Bandung', cityCode: '32.73' },
          { location: 'Kabupaten Sleman', cityCode: '34.04' },
          { location: 'Kota Administrasi Jakarta Pusat', cityCode: '31.71' },
          { location: 'Atlantis', cityCode: null },
        ]);
      } finally {
        await fresh.destroy();
      }
    });
  });
});

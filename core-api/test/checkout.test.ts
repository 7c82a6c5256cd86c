import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { foldSoldCounts } from '../src/modules/catalog/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

const address = (phone = '081234567890', city = 'Yogyakarta') => ({
  recipient: 'Budi Santoso',
  phone,
  street: 'Jl. Malioboro 12',
  city,
  province: 'DI Yogyakarta',
  postalCode: '55213',
});

/**
 * What one POST /checkout of two stores' lines, paid at once, may cost the database: knex 'query'
 * events, BEGIN and COMMIT of its two transactions and the simulated gateway's charge included.
 */
const STATEMENTS_PER_CHECKOUT = 14;

describe('cart and checkout', () => {
  let app: TestApp;
  let batik: Session;
  let kopi: Session;
  let shirt: { id: string; variants: Array<{ id: string; sku: string }> };
  let coffee: { id: string; variants: Array<{ id: string; sku: string }> };

  const stockOf = async (variantId: string) => (await app.db.knex('productVariants').where({ id: variantId }).first()).stock as number;
  const add = (buyer: Session, variantId: string, quantity: number) => app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } });
  const pay = (buyer: Session, body: Record<string, unknown>, key: string = randomUUID()) =>
    app.request('POST', '/checkout', { token: buyer.token, body, headers: { 'idempotency-key': key } });

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    batik = await signUpSeller(app, 'Batik Jogja', 'Yogyakarta');
    kopi = await signUpSeller(app, 'Kopi Medan', 'Medan');
    shirt = await createProduct(app, batik, {
      title: 'Kemeja Batik',
      categoryId: cats.kemeja,
      status: 'active',
      options: [{ name: 'Ukuran', values: ['M', 'L'] }],
      variants: [
        { options: { Ukuran: 'M' }, price: 150000, stock: 100 },
        { options: { Ukuran: 'L' }, price: 160000, stock: 10 },
      ],
    });
    coffee = await createProduct(app, kopi, { title: 'Kopi Sidikalang', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 80000, stock: 50 }] });
  });
  after(async () => {
    await app?.close();
  });

  describe('the cart', () => {
    it('should group lines by store, add to an existing line, and total up', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      await add(buyer, coffee.variants[0].id, 2);
      const res = await add(buyer, shirt.variants[0].id, 2);
      expect(res.status).to.equal(200);
      expect(res.body.groups.map((g: { store: { name: string } }) => g.store.name)).to.deep.equal(['Batik Jogja', 'Kopi Medan']);
      expect(res.body.groups[0].items[0]).to.include({ quantity: 3, unitPrice: 150000, lineTotal: 450000, available: 100 });
      expect(res.body).to.include({ itemCount: 5, total: 450000 + 160000 });
    });

    it('should refuse more than is in stock with a 409 that says how many are available', async () => {
      const buyer = await signUpCustomer(app);
      const res = await add(buyer, shirt.variants[1].id, 11);
      expect(res.status).to.equal(409);
      expect(res.body.detail).to.include('Only 10');
      expect(res.body.errors).to.deep.equal([{ pointer: '/quantity', message: 'at most 10 available' }]);
      const line = (await add(buyer, shirt.variants[1].id, 2)).body.groups[0].items[0];
      const patch = await app.request('PATCH', `/cart/items/${line.id}`, { token: buyer.token, body: { quantity: 20 } });
      expect(patch.status).to.equal(409);
    });

    it('should flag lines whose stock fell, whose price changed or that left the shelf', async () => {
      const buyer = await signUpCustomer(app);
      const cats = await categories(app);
      const mug = await createProduct(app, batik, { title: 'Cangkir', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 50000, stock: 5 }] });
      const plate = await createProduct(app, batik, { title: 'Piring', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 40000, stock: 5 }] });
      await add(buyer, mug.variants[0].id, 4);
      await add(buyer, plate.variants[0].id, 1);
      await app.db.knex('productVariants').where({ id: mug.variants[0].id }).update({ stock: 2, price: 55000 });
      await app.db.knex('products').where({ id: plate.id }).update({ status: 'draft' });
      const cart = (await app.request('GET', '/cart', { token: buyer.token })).body;
      const problems = Object.fromEntries(cart.groups[0].items.map((i: { title: string; problems: string[] }) => [i.title, i.problems]));
      expect(problems.Cangkir).to.deep.equal(['insufficient_stock', 'price_changed']);
      expect(problems.Piring).to.deep.equal(['unavailable']);
    });

    it("should keep shoppers out of each other's carts and sellers out of carts", async () => {
      const a = await signUpCustomer(app);
      const b = await signUpCustomer(app);
      const line = (await add(a, coffee.variants[0].id, 1)).body.groups[0].items[0];
      expect((await app.request('DELETE', `/cart/items/${line.id}`, { token: b.token })).status).to.equal(404);
      expect((await app.request('GET', '/cart', { token: batik.token })).status).to.equal(403);
    });
  });

  describe('POST /checkout', () => {
    it('should turn a cart from two stores into one checkout and two orders, each with its own shipping', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 2);
      await add(buyer, coffee.variants[0].id, 1);
      const before = { shirt: await stockOf(shirt.variants[0].id), coffee: await stockOf(coffee.variants[0].id) };
      const res = await pay(buyer, { shippingAddress: address(), paymentMethod: 'bca_va' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const { checkout, orders } = res.body;
      expect(orders).to.have.length(2);
      const [jogja, medan] = orders;
      expect(jogja).to.include({ status: 'pending', subtotal: 300000, shippingCost: 11000, total: 311000 });
      expect(medan).to.include({ status: 'pending', subtotal: 80000, shippingCost: 35000, total: 115000 });
      expect(jogja.number).to.match(/^PSR-\d{8}-[A-Z0-9]{6}$/);
      expect(jogja.number).to.not.equal(medan.number);
      expect(jogja.items[0]).to.include({ title: 'Kemeja Batik', unitPrice: 150000, quantity: 2, lineTotal: 300000 });
      expect(checkout).to.include({ total: 426000, paymentMethod: 'bca_va', paymentStatus: 'pending' });
      expect(checkout.payment.virtualAccount).to.match(/^39358\d{11}$/);
      expect(await stockOf(shirt.variants[0].id)).to.equal(before.shirt - 2);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before.coffee - 1);
      expect((await app.request('GET', '/cart', { token: buyer.token })).body.itemCount).to.equal(0);
      const events = await app.db.knex('outbox').where('createdAt', '>=', app.db.knex.raw("now() - interval '1 minute'")).whereIn('topic', ['checkout.completed', 'order.placed']);
      expect(events.filter((e) => e.payload.checkoutId === checkout.id)).to.have.length(1);
      expect(events.filter((e) => orders.some((o: { id: string }) => o.id === e.payload.orderId))).to.have.length(2);
    });

    it('should place a two-store checkout in a bounded number of SQL statements', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      await add(buyer, coffee.variants[0].id, 1);
      const statements: string[] = [];
      // what runs beside the request on the same pool: the view counters' flush, the outbox relay
      const background = /product_daily_|^\s*(update "?outbox"? |delete from "?outbox"?|select\b[^;]*\bfrom "?outbox"?)/i;
      const count = (q: { sql: string }) => {
        if (!background.test(q.sql)) statements.push(q.sql);
      };
      app.platform.db.on('query', count);
      try {
        const res = await pay(buyer, { shippingAddress: address(), paymentMethod: 'ovo' });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      } finally {
        app.platform.db.off('query', count);
      }
      expect(statements.length, statements.join('\n')).to.be.at.most(STATEMENTS_PER_CHECKOUT);
    });

    it('should buy only the chosen lines and leave the rest in the cart', async () => {
      const buyer = await signUpCustomer(app);
      const first = (await add(buyer, shirt.variants[0].id, 1)).body.groups[0].items[0];
      await add(buyer, coffee.variants[0].id, 1);
      const res = await pay(buyer, { shippingAddress: address(), paymentMethod: 'cod', itemIds: [first.id] });
      expect(res.status).to.equal(201);
      expect(res.body.orders).to.have.length(1);
      const cart = (await app.request('GET', '/cart', { token: buyer.token })).body;
      expect(cart.groups.map((g: { store: { name: string } }) => g.store.name)).to.deep.equal(['Kopi Medan']);
    });

    it("should change nothing when a line in the second store is short, and name it", async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      await add(buyer, coffee.variants[0].id, 3);
      await app.db.knex('productVariants').where({ id: coffee.variants[0].id }).update({ stock: 2 });
      const shirtBefore = await stockOf(shirt.variants[0].id);
      const ordersBefore = await countRows(app.db.knex, 'orders');
      const res = await pay(buyer, { shippingAddress: address(), paymentMethod: 'ovo' });
      expect(res.status).to.equal(409);
      expect(res.body.detail).to.include('Kopi Sidikalang');
      expect(res.body.shortages).to.deep.equal([{ variantId: coffee.variants[0].id, sku: coffee.variants[0].sku, title: 'Kopi Sidikalang', requested: 3, available: 2 }]);
      expect(await stockOf(shirt.variants[0].id), 'the first store keeps its stock').to.equal(shirtBefore);
      expect(await stockOf(coffee.variants[0].id)).to.equal(2);
      expect(await countRows(app.db.knex, 'orders')).to.equal(ordersBefore);
      expect((await app.request('GET', '/cart', { token: buyer.token })).body.itemCount).to.equal(4);
      await app.db.knex('productVariants').where({ id: coffee.variants[0].id }).update({ stock: 50 });
    });

    it('should compensate a declined payment (402): orders cancelled, stock and cart lines back, no email, the same 402 on replay', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      const before = await stockOf(shirt.variants[0].id);
      const key = randomUUID();
      const res = await pay(buyer, { shippingAddress: address('081299990402'), paymentMethod: 'ovo' }, key);
      expect(res.status).to.equal(402);
      expect(res.body.detail).to.match(/declined/);
      expect(await stockOf(shirt.variants[0].id)).to.equal(before);
      const orders = await app.db.knex('orders').where({ userId: buyer.userId });
      expect(orders.map((o) => [o.status, o.paymentStatus, o.cancelReason])).to.deep.equal([['cancelled', 'failed', 'payment declined']]);
      const checkout = await app.db.knex('checkouts').where({ userId: buyer.userId }).first();
      expect((await app.db.knex('payments').where({ checkoutId: checkout.id }).first()).status).to.equal('failed');
      const mails = await app.db.knex('outbox').whereIn('topic', ['checkout.completed', 'order.placed', 'order.status-changed']).whereRaw("payload->>'checkoutId' = ? or payload->>'orderId' = ?", [checkout.id, orders[0].id]);
      expect(mails, 'nothing to tell anyone').to.have.length(0);
      expect((await app.request('GET', '/cart', { token: buyer.token })).body.itemCount).to.equal(1);
      const again = await pay(buyer, { shippingAddress: address('081299990402'), paymentMethod: 'ovo' }, key);
      expect(again.status).to.equal(402);
      expect(await stockOf(shirt.variants[0].id)).to.equal(before);
      const paid = await pay(buyer, { shippingAddress: address('081299990403'), paymentMethod: 'ovo' });
      expect(paid.body.checkout.paymentStatus).to.equal('paid');
    });

    it('should refuse an empty cart, a missing key and a bad address', async () => {
      const buyer = await signUpCustomer(app);
      expect((await pay(buyer, { shippingAddress: address(), paymentMethod: 'ovo' })).status).to.equal(422);
      const noKey = await app.request('POST', '/checkout', { token: buyer.token, body: { shippingAddress: address(), paymentMethod: 'ovo' } });
      expect(noKey.status).to.equal(400);
      expect(noKey.body.errors).to.deep.include({ header: 'idempotency-key', message: 'is required' });
      const bad = await pay(buyer, { shippingAddress: { ...address(), phone: '12345', postalCode: 'abc' }, paymentMethod: 'gopay' });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal(['/paymentMethod', '/shippingAddress/phone', '/shippingAddress/postalCode']);
    });
  });

  describe('price confirmation (expectedTotal)', () => {
    it('should answer 409 naming each changed line and take, reserve and charge nothing; the new total then buys', async () => {
      const buyer = await signUpCustomer(app);
      const cats = await categories(app);
      const lamp = await createProduct(app, batik, { title: 'Lampu Hias', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 100, stock: 5 }] });
      const line = (await add(buyer, lamp.variants[0].id, 1)).body.groups[0].items[0];
      const seen = (await app.request('GET', '/cart', { token: buyer.token })).body.total + 10000; // goods + shipping within Yogyakarta
      await app.request('PATCH', `/seller/products/${lamp.id}`, { token: batik.token, body: { variants: [{ id: lamp.variants[0].id, price: 50_000_000 }] } });
      const counts = { orders: await countRows(app.db.knex, 'orders'), checkouts: await countRows(app.db.knex, 'checkouts') };
      const key = randomUUID();

      const refused = await pay(buyer, { shippingAddress: address(), paymentMethod: 'ovo', expectedTotal: seen }, key);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
      expect(refused.body.priceChanges).to.deep.equal([{ itemId: line.id, variantId: lamp.variants[0].id, title: 'Lampu Hias', oldPrice: 100, newPrice: 50_000_000 }]);
      expect(refused.body).to.include({ expectedTotal: 10100, total: 50_010_000 });
      expect(await stockOf(lamp.variants[0].id), 'nothing reserved').to.equal(5);
      expect(await countRows(app.db.knex, 'orders')).to.equal(counts.orders);
      expect(await countRows(app.db.knex, 'checkouts'), 'nothing charged').to.equal(counts.checkouts);
      expect((await app.request('GET', '/cart', { token: buyer.token })).body.itemCount).to.equal(1);

      const confirmed = await pay(buyer, { shippingAddress: address(), paymentMethod: 'ovo', expectedTotal: 50_010_000 }, key);
      expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
      expect(confirmed.body.checkout.total).to.equal(50_010_000);
      expect(await stockOf(lamp.variants[0].id)).to.equal(4);
    });

    it('should charge the price as it is when the stock is locked, when it changes while the checkout waits for the lock', async () => {
      const buyer = await signUpCustomer(app);
      const cats = await categories(app);
      const fan = await createProduct(app, batik, { title: 'Kipas Bambu', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 20000, stock: 5 }] });
      const variantId = fan.variants[0].id;
      await add(buyer, variantId, 2);
      // another writer holds the variant while the checkout reads the cart, then changes its price
      const holder = await app.db.knex.transaction();
      try {
        await holder('productVariants').where({ id: variantId }).forUpdate().first();
        const paying = pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' });
        const waiting = async () => Number((await app.db.knex.raw(`select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%from product_variants%'`)).rows[0].n);
        for (let i = 0; i < 200 && (await waiting()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(await waiting(), 'the checkout waits for the stock lock').to.equal(1);
        await holder('productVariants').where({ id: variantId }).update({ price: 25000 });
        await holder.commit();
        const res = await paying;
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body.orders[0].items[0]).to.include({ unitPrice: 25000, lineTotal: 50000 });
        expect(res.body.checkout.total).to.equal(50000 + res.body.orders[0].shippingCost);
        expect(res.body.checkout.payment.amount, 'the payment charges the same total').to.equal(res.body.checkout.total);
        expect(await stockOf(variantId)).to.equal(3);
      } finally {
        if (!holder.isCompleted()) await holder.rollback();
      }
    });

    it('should keep a line whose product was deleted or archived in the cart, flagged unavailable, until the shopper removes it', async () => {
      const buyer = await signUpCustomer(app);
      const cats = await categories(app);
      const vase = await createProduct(app, batik, { title: 'Vas Gerabah', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 70000, stock: 5 }] });
      const line = (await add(buyer, vase.variants[0].id, 1)).body.groups[0].items[0];
      expect((await app.request('DELETE', `/seller/products/${vase.id}`, { token: batik.token })).status).to.equal(204);
      const cart = (await app.request('GET', '/cart', { token: buyer.token })).body;
      expect(cart.groups[0].items[0]).to.include({ id: line.id, available: 0 });
      expect(cart.groups[0].items[0].problems).to.deep.equal(['unavailable']);
      const refused = await pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' });
      expect(refused.status).to.equal(409);
      expect(refused.body.detail).to.include('Vas Gerabah');
      expect((await app.request('DELETE', `/cart/items/${line.id}`, { token: buyer.token })).body.itemCount).to.equal(0);
    });
  });

  describe('idempotency', () => {
    it('should replay the first answer for the same key and body, and refuse the key with another body', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, coffee.variants[0].id, 1);
      const key = randomUUID();
      const body = { shippingAddress: address(), paymentMethod: 'dana' };
      const first = await pay(buyer, body, key);
      const again = await pay(buyer, { paymentMethod: 'dana', shippingAddress: address() }, key);
      expect(again.status).to.equal(first.status);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      const other = await pay(buyer, { ...body, paymentMethod: 'ovo' }, key);
      expect(other.status).to.equal(422);
      expect(other.body.errors).to.deep.equal([{ header: 'Idempotency-Key', message: 'was used with another body' }]);
    });

    it('should make one checkout out of 20 concurrent requests with one key, all with the same answer', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, coffee.variants[0].id, 2);
      const before = await stockOf(coffee.variants[0].id);
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 20 }, () => pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' }, key)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(20).fill(201));
      for (const a of answers) expect(a.body).to.deep.equal(answers[0].body);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).to.have.length(1);
      expect(await countRows(app.db.knex, 'checkouts', (q) => q.where({ userId: buyer.userId }))).to.equal(1);
      expect(await countRows(app.db.knex, 'orders', (q) => q.where({ userId: buyer.userId }))).to.equal(1);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before - 2);
    });
  });

  describe('one cart, two checkouts at once', () => {
    it('should sell the cart once when two checkouts with different keys race for it; the other finds it empty', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, coffee.variants[0].id, 2);
      const before = await stockOf(coffee.variants[0].id);
      const answers = await Promise.all([0, 1, 2].map(() => pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' })));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 422, 422]);
      expect(answers.filter((a) => a.status === 422).map((a) => a.body.detail)).to.deep.equal(['Your cart is empty.', 'Your cart is empty.']);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before - 2);
    });
  });

  describe('no oversell', () => {
    it('should sell exactly 10 when 50 shoppers race for a variant with stock 10; the rest get 409', async function () {
      this.timeout(120_000);
      const cats = await categories(app);
      const hot = await createProduct(app, batik, { title: 'Batik Edisi Terbatas', categoryId: cats.kemeja, status: 'active', variants: [{ options: {}, price: 500000, stock: 10 }] });
      const variantId = hot.variants[0].id;
      const buyers = await Promise.all(Array.from({ length: 50 }, () => signUpCustomer(app)));
      for (const buyer of buyers) expect((await add(buyer, variantId, 1)).status).to.equal(200);

      const answers = await Promise.all(buyers.map((buyer) => pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).to.have.length(10);
      expect(statuses.filter((s) => s === 409)).to.have.length(40);
      expect(await stockOf(variantId)).to.equal(0);
      const sold = await app.db.knex('orderItems').where({ variantId }).sum({ n: 'quantity' }).first();
      expect(Number(sold!.n)).to.equal(10);
      const movements = await app.db.knex('stockMovements').where({ variantId, reason: 'sale' });
      expect(movements.every((m) => m.newStock >= 0)).to.equal(true);
      expect(movements).to.have.length(10);
    });

    it('should keep stock, history and sold counts exact when shoppers race for overlapping variants of two stores, in any order, while the seller restocks', async function () {
      this.timeout(120_000);
      const cats = await categories(app);
      const scarf = await createProduct(app, batik, {
        title: 'Selendang Tenun',
        categoryId: cats.fesyen,
        status: 'active',
        options: [{ name: 'Warna', values: ['Merah', 'Biru'] }],
        variants: [{ options: { Warna: 'Merah' }, price: 90000, stock: 12 }, { options: { Warna: 'Biru' }, price: 90000, stock: 12 }],
      });
      const beans = await createProduct(app, kopi, { title: 'Kopi Gayo', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 60000, stock: 12 }] });
      const variants = [scarf.variants[0].id, scarf.variants[1].id, beans.variants[0].id];
      const buyers = await Promise.all(Array.from({ length: 30 }, () => signUpCustomer(app)));
      for (const [k, buyer] of buyers.entries()) {
        const order = k % 2 ? [...variants].reverse() : variants;
        for (const variantId of order.slice(0, 2 + (k % 2))) expect((await add(buyer, variantId, 1)).status).to.equal(200);
      }
      const restock = () => app.request('PATCH', '/seller/inventory', { token: batik.token, body: { items: [{ variantId: scarf.variants[1].id, delta: 2 }, { variantId: scarf.variants[0].id, delta: 2 }] } });
      const answers = await Promise.all([...buyers.map((buyer) => pay(buyer, { shippingAddress: address(), paymentMethod: 'cod' })), restock(), restock(), restock()]);
      expect(answers.slice(0, 30).map((a) => a.status).filter((s) => s !== 201 && s !== 409), 'only sold or refused').to.deep.equal([]);
      expect(answers.slice(30).map((a) => a.status)).to.deep.equal([200, 200, 200]);
      expect(answers.filter((a) => a.status === 409).length, 'some refused: more wanted than there was').to.be.above(0);
      for (const variantId of variants) {
        const sold = Number((await app.db.knex('orderItems').where({ variantId }).sum({ n: 'quantity' }).first())!.n ?? 0);
        const restocked = variantId === beans.variants[0].id ? 0 : 6;
        expect(await stockOf(variantId), 'stock = opening + restocked - sold').to.equal(12 + restocked - sold);
        const moves = await app.db.knex('stockMovements').where({ variantId });
        expect(moves.every((m) => m.newStock >= 0)).to.equal(true);
        expect(moves.reduce((n, m) => n + m.newStock - m.oldStock, 0), 'the history adds up').to.equal(restocked - sold);
      }
      await foldSoldCounts(app.db.knex);
      for (const product of [scarf, beans]) {
        const sold = Number((await app.db.knex('orderItems').where({ productId: product.id }).sum({ n: 'quantity' }).first())!.n ?? 0);
        expect((await app.db.knex('products').where({ id: product.id }).first()).soldCount, 'the sold count is the units sold').to.equal(sold);
      }
    });
  });
});

describe('order numbers', () => {
  it('should be unique for consecutive sequence values, look unrelated to each other and name the day in Jakarta', async () => {
    const app = await startTestApp();
    try {
      const numbers: string[] = (await app.db.knex.raw(`select pasar_order_number(g, '2026-11-24T03:00:00Z') as n from generate_series(1, 50000) g order by g`)).rows.map((r: { n: string }) => r.n);
      expect(new Set(numbers).size).to.equal(numbers.length);
      expect(numbers[0]).to.match(/^PSR-20261124-[2-9A-HJ-NP-Z]{6}$/);
      expect(numbers[0].slice(-6)).to.not.equal(numbers[1].slice(-6));
      // the numbers the sequence gave before they were made in the database: unchanged, so none repeats
      const { rows } = await app.db.knex.raw(`select pasar_order_number(n, '2026-11-24T03:00:00Z') as n from unnest(cast(? as bigint[])) with ordinality as x(n, k) order by k`, [[1, 2, 32, 1000, 123456789, 1073741829]]);
      expect(rows.map((r: { n: string }) => r.n)).to.deep.equal(['PSR-20261124-DKH6CB', 'PSR-20261124-R4YANL', 'PSR-20261124-KH6CB2', 'PSR-20261124-U2Z3BA', 'PSR-20261124-N5LRZX', 'PSR-20261124-TRDPMF']);
      const { rows: [late] } = await app.db.knex.raw(`select pasar_order_number(1, '2026-11-24T17:30:00Z') as n`);
      expect(late.n).to.equal('PSR-20261125-DKH6CB');
    } finally {
      await app.close();
    }
  });
});

describe('an order number already taken', () => {
  it('should make the checkout draw the next number instead of failing', async () => {
    const app = await startTestApp();
    try {
      const cats = await categories(app);
      const seller = await signUpSeller(app, 'Toko Nomor');
      const product = await createProduct(app, seller, { title: 'Gelang Manik', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 30000, stock: 10 }] });
      const buyer = await signUpCustomer(app);
      await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: product.variants[0].id, quantity: 1 } });
      // an older order already holds the number the sequence will hand out next
      const { rows: [{ taken }] } = await app.db.knex.raw(`select pasar_order_number(last_value + (case when is_called then 1 else 0 end), now()) as taken from order_number_seq`);
      const [old] = await app.db.knex('checkouts').insert({ userId: buyer.userId, idempotencyKey: 'lama', requestHash: 'x', paymentMethod: 'cod', total: 40000 }).returning('id');
      await app.db.knex('orders').insert({ checkoutId: old.id, storeId: seller.storeId, userId: buyer.userId, number: taken, subtotal: 30000, shippingCost: 10000, total: 40000, shippingAddress: '{}' });
      const res = await app.request('POST', '/checkout', {
        token: buyer.token,
        headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: address(), paymentMethod: 'cod' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.orders[0].number).to.not.equal(taken);
    } finally {
      await app.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

const address = { recipient: 'Ani Wijaya', phone: '081311112222', street: 'Jl. Dago 1', city: 'Bandung', province: 'Jawa Barat', postalCode: '40135' };

describe('orders and reviews', () => {
  let app: TestApp;
  let seller: Session;
  let otherSeller: Session;
  let product: { id: string; variants: Array<{ id: string }> };

  const stock = async () => (await app.db.knex('productVariants').where({ id: product.variants[0].id }).first()).stock as number;

  /** A shopper with one pending order of `quantity` units. */
  async function placeOrder(quantity = 2): Promise<{ buyer: Session; orderId: string }> {
    const buyer = await signUpCustomer(app);
    expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: product.variants[0].id, quantity } })).status).to.equal(200);
    const res = await app.request('POST', '/checkout', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: address, paymentMethod: 'ovo' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { buyer, orderId: res.body.orders[0].id };
  }

  const sellerMove = (orderId: string, body: Record<string, unknown>, who = seller) =>
    app.request('POST', `/seller/orders/${orderId}/status`, { token: who.token, body });
  const cancel = (buyer: Session, orderId: string) => app.request('POST', `/orders/${orderId}/cancel`, { token: buyer.token });
  const confirm = (buyer: Session, orderId: string) => app.request('POST', `/orders/${orderId}/confirm-receipt`, { token: buyer.token });

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    seller = await signUpSeller(app, 'Toko Sepatu', 'Bandung');
    otherSeller = await signUpSeller(app, 'Toko Lain', 'Surabaya');
    product = await createProduct(app, seller, { title: 'Sepatu Kanvas', categoryId: cats.sepatu, status: 'active', variants: [{ options: {}, price: 200000, stock: 1000 }] });
  });
  after(async () => {
    await app?.close();
  });

  describe('the order lifecycle', () => {
    it('should go pending -> processing -> shipped (with tracking) -> delivered, recording each step', async () => {
      const { buyer, orderId } = await placeOrder();
      expect((await sellerMove(orderId, { status: 'processing' })).status).to.equal(200);
      const noTracking = await sellerMove(orderId, { status: 'shipped' });
      expect(noTracking.status).to.equal(422);
      expect(noTracking.body.errors).to.deep.equal([{ pointer: '/trackingNumber', message: 'is required to ship' }]);
      const shipped = await sellerMove(orderId, { status: 'shipped', trackingNumber: 'JNE-1234567' });
      expect(shipped.body).to.include({ status: 'shipped', trackingNumber: 'JNE-1234567' });
      const delivered = await confirm(buyer, orderId);
      expect(delivered.status).to.equal(200);
      expect(delivered.body.status).to.equal('delivered');
      expect(delivered.body.deliveredAt).to.be.a('string');
      expect(delivered.body.history.map((h: { from: string | null; to: string; actor: string }) => [h.from, h.to, h.actor])).to.deep.equal([
        [null, 'pending', 'customer'],
        ['pending', 'processing', 'seller'],
        ['processing', 'shipped', 'seller'],
        ['shipped', 'delivered', 'customer'],
      ]);
      const events = await app.db.knex('outbox').where({ topic: 'order.status-changed' }).whereRaw("payload->>'orderId' = ?", [orderId]);
      expect(events.map((e) => e.payload.to)).to.deep.equal(['processing', 'shipped', 'delivered']);
    });

    it('should let the seller mark a shipped order delivered (the courier confirmed it), and collect cash on delivery', async () => {
      const buyer = await signUpCustomer(app);
      expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: product.variants[0].id, quantity: 1 } })).status).to.equal(200);
      const placed = await app.request('POST', '/checkout', {
        token: buyer.token,
        headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: address, paymentMethod: 'cod' },
      });
      expect(placed.status, JSON.stringify(placed.body)).to.equal(201);
      const orderId = placed.body.orders[0].id as string;
      expect((await sellerMove(orderId, { status: 'delivered' })).status, 'pending -> delivered').to.equal(409);
      await sellerMove(orderId, { status: 'processing' });
      expect((await sellerMove(orderId, { status: 'delivered' })).status, 'processing -> delivered').to.equal(409);
      await sellerMove(orderId, { status: 'shipped', trackingNumber: 'SCP-5555' });
      expect((await sellerMove(orderId, { status: 'delivered' }, otherSeller)).status, "another store's order").to.equal(404);
      const delivered = await sellerMove(orderId, { status: 'delivered' });
      expect(delivered.status, JSON.stringify(delivered.body)).to.equal(200);
      expect(delivered.body).to.include({ status: 'delivered', paymentStatus: 'paid' });
      expect(delivered.body.history.at(-1)).to.include({ from: 'shipped', to: 'delivered', actor: 'seller' });
      expect((await sellerMove(orderId, { status: 'delivered' })).status, 'delivered twice').to.equal(409);
      expect((await confirm(buyer, orderId)).status, 'the shopper confirms after the seller').to.equal(409);
    });

    it('should refuse every illegal move with 409 and change nothing', async () => {
      const { buyer, orderId } = await placeOrder(1);
      // from pending
      expect((await sellerMove(orderId, { status: 'shipped', trackingNumber: 'JNE-1' })).status, 'pending -> shipped').to.equal(409);
      expect((await confirm(buyer, orderId)).status, 'pending -> delivered').to.equal(409);
      // from processing
      await sellerMove(orderId, { status: 'processing' });
      expect((await sellerMove(orderId, { status: 'processing' })).status, 'processing -> processing').to.equal(409);
      expect((await cancel(buyer, orderId)).status, 'a shopper cannot cancel once processing').to.equal(409);
      expect((await confirm(buyer, orderId)).status, 'processing -> delivered').to.equal(409);
      // from shipped
      await sellerMove(orderId, { status: 'shipped', trackingNumber: 'JNE-2222' });
      expect((await sellerMove(orderId, { status: 'cancelled' })).status, 'shipped -> cancelled').to.equal(409);
      expect((await sellerMove(orderId, { status: 'processing' })).status, 'shipped -> processing').to.equal(409);
      expect((await cancel(buyer, orderId)).status, 'shipped -> cancelled by shopper').to.equal(409);
      // from delivered
      await confirm(buyer, orderId);
      for (const status of ['processing', 'shipped', 'cancelled']) {
        expect((await sellerMove(orderId, { status, trackingNumber: 'JNE-3333' })).status, `delivered -> ${status}`).to.equal(409);
      }
      expect((await confirm(buyer, orderId)).status, 'delivered twice').to.equal(409);
      // from cancelled
      const second = await placeOrder(1);
      await cancel(second.buyer, second.orderId);
      for (const status of ['processing', 'shipped', 'cancelled']) {
        expect((await sellerMove(second.orderId, { status, trackingNumber: 'JNE-4444' })).status, `cancelled -> ${status}`).to.equal(409);
      }
      const order = await app.db.knex('orders').where({ id: orderId }).first();
      expect(order.status).to.equal('delivered');
      const refused = await sellerMove(orderId, { status: 'shipped', trackingNumber: 'X-1' });
      expect(refused.headers.get('content-type')).to.match(/problem\+json/);
    });

    it('should put the stock back exactly once, however many cancels arrive', async () => {
      const before = await stock();
      const { buyer, orderId } = await placeOrder(3);
      expect(await stock()).to.equal(before - 3);
      const answers = await Promise.all([cancel(buyer, orderId), cancel(buyer, orderId), sellerMove(orderId, { status: 'cancelled', reason: 'Stok rusak' })]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409, 409]);
      expect(await stock()).to.equal(before);
      expect((await cancel(buyer, orderId)).status).to.equal(409);
      expect(await stock()).to.equal(before);
      const movements = await app.db.knex('stockMovements').where({ orderId, reason: 'cancellation' });
      expect(movements).to.have.length(1);
    });

    it('should let the seller cancel a processing order with a reason, restocking it', async () => {
      const before = await stock();
      const { buyer, orderId } = await placeOrder(2);
      await sellerMove(orderId, { status: 'processing' });
      const res = await sellerMove(orderId, { status: 'cancelled', reason: 'Ukuran habis' });
      expect(res.body).to.include({ status: 'cancelled', cancelReason: 'Ukuran habis' });
      expect(await stock()).to.equal(before);
      const mine = await app.request('GET', `/orders/${orderId}`, { token: buyer.token });
      expect(mine.body.history.at(-1)).to.include({ from: 'processing', to: 'cancelled', actor: 'seller', note: 'Ukuran habis' });
    });
  });

  describe('who sees which order', () => {
    it("should answer 404 for another shopper's or another store's order", async () => {
      const { buyer, orderId } = await placeOrder(1);
      const stranger = await signUpCustomer(app);
      expect((await app.request('GET', `/orders/${orderId}`, { token: stranger.token })).status).to.equal(404);
      expect((await cancel(stranger, orderId)).status).to.equal(404);
      expect((await app.request('GET', `/seller/orders/${orderId}`, { token: otherSeller.token })).status).to.equal(404);
      expect((await sellerMove(orderId, { status: 'processing' }, otherSeller)).status).to.equal(404);
      expect((await app.request('GET', `/orders/${orderId}`, { token: buyer.token })).status).to.equal(200);
      expect((await app.request('GET', `/seller/orders/${orderId}`, { token: seller.token })).status).to.equal(200);
    });

    it('should list orders newest first, by status, with totals, and find an order by its number', async () => {
      const { buyer, orderId } = await placeOrder(1);
      await placeOrder(1);
      const mine = await app.request('GET', '/orders', { token: buyer.token });
      expect(mine.body.items.map((o: { id: string }) => o.id)).to.deep.equal([orderId]);
      const number = mine.body.items[0].number;
      const found = await app.request('GET', `/seller/orders?q=${number}`, { token: seller.token });
      expect(found.body.items.map((o: { id: string }) => o.id)).to.deep.equal([orderId]);
      const pending = await app.request('GET', '/seller/orders?status=pending&pageSize=100', { token: seller.token });
      expect(pending.body.items.every((o: { status: string }) => o.status === 'pending')).to.equal(true);
      expect((await app.request('GET', '/seller/orders', { token: otherSeller.token })).body.total).to.equal(0);
    });
  });

  describe('POST /products/{id}/reviews', () => {
    it('should let only a shopper with a delivered order review, once, and move the product and store rating', async () => {
      const { buyer, orderId } = await placeOrder(1);
      const review = (who: Session, rating: number) =>
        app.request('POST', `/products/${product.id}/reviews`, { token: who.token, body: { rating, comment: 'Nyaman dipakai' } });

      expect((await review(buyer, 5)).status, 'not delivered yet').to.equal(403);
      expect((await review(await signUpCustomer(app), 5)).status, 'never bought it').to.equal(403);
      await sellerMove(orderId, { status: 'processing' });
      await sellerMove(orderId, { status: 'shipped', trackingNumber: 'SICEPAT-99' });
      await confirm(buyer, orderId);
      expect((await review(buyer, 6)).status).to.equal(400);
      const created = await review(buyer, 4);
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ rating: 4, comment: 'Nyaman dipakai', reviewerName: 'Pembeli', verifiedPurchase: true });
      expect((await review(buyer, 5)).status, 'once per shopper and product').to.equal(409);

      const second = await placeOrder(1);
      await sellerMove(second.orderId, { status: 'processing' });
      await sellerMove(second.orderId, { status: 'shipped', trackingNumber: 'SICEPAT-98' });
      await confirm(second.buyer, second.orderId);
      expect((await review(second.buyer, 5)).status).to.equal(201);

      const list = await app.request('GET', `/products/${product.id}/reviews`);
      expect(list.body.total).to.equal(2);
      expect(list.body.rating).to.deep.equal({ average: 4.5, count: 2 });
      expect(list.body.items[0].verifiedPurchase).to.equal(true);
      const detail = await app.request('GET', `/products/${product.id}`);
      expect(detail.body.rating).to.deep.equal({ average: 4.5, count: 2 });
      const store = await app.request('GET', '/stores/toko-sepatu');
      expect(store.body.rating).to.deep.equal({ average: 4.5, count: 2 });
      expect((await app.request('POST', `/products/${product.id}/reviews`, { token: seller.token, body: { rating: 5 } })).status, 'sellers do not review').to.equal(403);
    });

    it('should count every review when shoppers review one product at the same moment', async () => {
      const cats = await categories(app);
      const mug = await createProduct(app, seller, { title: 'Mug Gerabah', categoryId: cats.sepatu, status: 'active', variants: [{ options: {}, price: 50000, stock: 100 }] });
      const buyers: Session[] = [];
      for (let i = 0; i < 4; i++) {
        const buyer = await signUpCustomer(app);
        expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: mug.variants[0].id, quantity: 1 } })).status).to.equal(200);
        const res = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { shippingAddress: address, paymentMethod: 'ovo' } });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        const orderId = res.body.orders[0].id as string;
        await sellerMove(orderId, { status: 'processing' });
        await sellerMove(orderId, { status: 'shipped', trackingNumber: `JNE-${i}` });
        await confirm(buyer, orderId);
        buyers.push(buyer);
      }
      const ratings = [1, 2, 4, 5];
      const created = await Promise.all(buyers.map((buyer, i) => app.request('POST', `/products/${mug.id}/reviews`, { token: buyer.token, body: { rating: ratings[i] } })));
      expect(created.map((r) => r.status)).to.deep.equal([201, 201, 201, 201]);
      expect((await app.request('GET', `/products/${mug.id}/reviews`)).body.rating).to.deep.equal({ average: 3, count: 4 });
      expect((await app.request('GET', `/products/${mug.id}`)).body.rating).to.deep.equal({ average: 3, count: 4 });
    });

    it('should not let a draft product be reviewed', async () => {
      const cats = await categories(app);
      const draft = await createProduct(app, seller, { title: 'Sandal Draf', categoryId: cats.sepatu, status: 'draft', variants: [{ options: {}, price: 50000, stock: 1 }] });
      const buyer = await signUpCustomer(app);
      const res = await app.request('POST', `/products/${draft.id}/reviews`, { token: buyer.token, body: { rating: 5 } });
      expect(res.status).to.equal(404);
      expect(res.body.detail).to.equal('No such product.');
    });
  });
});

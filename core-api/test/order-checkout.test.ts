import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller } from './support/fixtures.ts';

describe('an order names its checkout', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  it('should answer checkoutId on the order, and GET /checkouts/{id} should give its virtual account', async () => {
    const cats = await categories(app);
    const seller = await signUpSeller(app, 'Toko Kopi', 'Bandung');
    const product = await createProduct(app, seller, { title: 'Kopi Uji', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 50000, stock: 10 }] });
    const buyer = await signUpCustomer(app);
    expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: product.variants[0].id, quantity: 1 } })).status).to.equal(200);
    const placed = await app.request('POST', '/checkout', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: { recipient: 'Ani', phone: '081311112222', street: 'Jl. Dago 1', cityCode: '32.73', postalCode: '40135' }, paymentMethod: 'bca_va' },
    });
    expect(placed.status, JSON.stringify(placed.body)).to.equal(201);

    const order = await app.request('GET', `/orders/${placed.body.orders[0].id}`, { token: buyer.token });
    expect(order.body.checkoutId).to.equal(placed.body.checkout.id);
    const listed = await app.request('GET', '/seller/orders', { token: seller.token });
    expect(listed.body.items[0].checkoutId).to.equal(placed.body.checkout.id);
    const checkout = await app.request('GET', `/checkouts/${order.body.checkoutId}`, { token: buyer.token });
    expect(checkout.status).to.equal(200);
    expect(checkout.body.checkout.payment.virtualAccount).to.equal(placed.body.checkout.payment.virtualAccount).and.match(/^[0-9]{8,20}$/);
  });
});

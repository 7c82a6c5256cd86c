import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CheckoutFlow } from '../src/flows/checkout.flow.ts';
import { DomainError } from '../src/domain/errors.ts';
import { fromDomainError } from '../src/http/errors.ts';
import { AddressesService } from '../src/modules/addresses/service.ts';
import { CartService } from '../src/modules/cart/service.ts';
import { RegionsService } from '../src/modules/regions/service.ts';
import { SimulatedCourier } from '../src/modules/shipping/calculator.ts';
import { PaymentsService } from '../src/modules/payments/service.ts';
import { outboxHandlers } from '../src/jobs.ts';
import { createLogger } from '../src/logger.ts';
import { relayOutbox } from '../src/modules/outbox/relay.ts';
import { SimulatedGateway, signWebhook, type PaymentGateway } from '../src/platform/payments/gateway.ts';
import { TEST_WEBHOOK_SECRET, startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';
import { required, testEnv } from './support/env.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

const address = (phone = '081234567890') => ({ recipient: 'Budi Santoso', phone, street: 'Jl. Malioboro 12', city: 'Yogyakarta', province: 'DI Yogyakarta', postalCode: '55213' });

describe('the payment lifecycle', () => {
  let app: TestApp;
  let batik: Session;
  let kopi: Session;
  let shirt: { id: string; variants: Array<{ id: string }> };
  let coffee: { id: string; variants: Array<{ id: string }> };
  let payments: PaymentsService;

  const stockOf = async (variantId: string) => (await app.db.knex('productVariants').where({ id: variantId }).first()).stock as number;
  const add = (buyer: Session, variantId: string, quantity: number) => app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } });
  const checkout = async (buyer: Session, paymentMethod: string, headers: Record<string, string> = {}, phone?: string) => {
    const res = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID(), ...headers }, body: { shippingAddress: address(phone), paymentMethod } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const buy = async (paymentMethod: string, lines: Array<[string, number]> = [[shirt.variants[0].id, 1]]) => {
    const buyer = await signUpCustomer(app);
    for (const [variantId, quantity] of lines) await add(buyer, variantId, quantity);
    return { buyer, result: await checkout(buyer, paymentMethod) };
  };
  const webhook = (body: unknown, signature?: string) => {
    const raw = JSON.stringify(body);
    return app.request('POST', '/payments/webhooks/simulated', { raw, headers: { 'content-type': 'application/json', 'x-pasar-signature': signature ?? signWebhook(TEST_WEBHOOK_SECRET, raw) } });
  };
  const paid = (virtualAccount: string, id = `evt_${randomUUID()}`) => ({ id, type: 'payment.paid', data: { virtualAccount } });

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    batik = await signUpSeller(app, 'Batik Jogja', 'Yogyakarta');
    kopi = await signUpSeller(app, 'Kopi Medan', 'Medan');
    shirt = await createProduct(app, batik, { title: 'Kemeja Batik', categoryId: cats.kemeja, status: 'active', variants: [{ options: {}, price: 150000, stock: 500 }] });
    coffee = await createProduct(app, kopi, { title: 'Kopi Sidikalang', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 80000, stock: 500 }] });
    payments = new PaymentsService(app.db.knex, app.platform.payments, createLogger({ logLevel: 'silent' }));
  });
  after(async () => {
    await app?.close();
  });

  describe('GET /checkouts/{id}', () => {
    it('should answer the shopper own checkout in the shape of POST /checkout, with the payment; another shopper gets 404', async () => {
      const { buyer, result } = await buy('bca_va', [[shirt.variants[0].id, 1], [coffee.variants[0].id, 1]]);
      expect(result.checkout.payment).to.include({ status: 'pending', method: 'bca_va', amount: result.checkout.total, refundedAmount: 0 });
      expect(result.checkout.payment.virtualAccount).to.match(/^39358\d{11}$/);
      expect(result.checkout.payment.instructions).to.include(result.checkout.payment.virtualAccount).and.include('Transfer');
      expect(result.orders.map((o: { paymentMethod: string; paymentStatus: string }) => [o.paymentMethod, o.paymentStatus])).to.deep.equal([['bca_va', 'pending'], ['bca_va', 'pending']]);
      const again = await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token });
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(result);
      const other = await signUpCustomer(app);
      expect((await app.request('GET', `/checkouts/${result.checkout.id}`, { token: other.token })).status).to.equal(404);
      expect((await app.request('GET', `/checkouts/${result.checkout.id}`, { token: batik.token })).status).to.equal(403);
    });

    it("should write the instructions in the shopper's language (Accept-Language)", async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      const result = await checkout(buyer, 'bca_va', { 'accept-language': 'en-US,en;q=0.9,id;q=0.5' });
      expect(result.checkout.payment.instructions).to.match(/^Transfer Rp [\d.]+ to BCA Virtual Account \d+ before /);
      // Indonesian when that is what the shopper reads (the tests otherwise send Accept-Language: en)
      const other = await signUpCustomer(app);
      await add(other, shirt.variants[0].id, 1);
      const cod = await checkout(other, 'cod', { 'accept-language': 'id' });
      expect(cod.checkout.payment.instructions).to.match(/^Siapkan Rp/);
    });
  });

  describe('POST /payments/webhooks/simulated', () => {
    it('should mark a virtual account paid on a signed notification, and let the seller process the order then', async () => {
      const { buyer, result } = await buy('bca_va');
      const [order] = result.orders;
      const early = await app.request('POST', `/seller/orders/${order.id}/status`, { token: batik.token, body: { status: 'processing' } });
      expect(early.status, 'an unpaid order cannot be processed').to.equal(409);
      expect(early.body.detail).to.include('not paid');

      const res = await webhook(paid(result.checkout.payment.virtualAccount));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.equal({ received: true, changed: true, status: 'paid' });
      const now = (await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body;
      expect(now.checkout.paymentStatus).to.equal('paid');
      expect(now.orders[0].paymentStatus).to.equal('paid');
      const listed = await app.request('GET', '/orders?paymentStatus=paid', { token: buyer.token });
      expect(listed.body.items.map((o: { id: string }) => o.id)).to.deep.equal([order.id]);
      expect((await app.request('GET', '/orders?paymentStatus=pending', { token: buyer.token })).body.total).to.equal(0);
      expect((await app.request('POST', `/seller/orders/${order.id}/status`, { token: batik.token, body: { status: 'processing' } })).status).to.equal(200);
    });

    it('should refuse a bad, missing or stale signature with 401 and change nothing', async () => {
      const { result } = await buy('bca_va');
      const body = paid(result.checkout.payment.virtualAccount);
      const raw = JSON.stringify(body);
      const forged = await webhook(body, signWebhook('not-the-secret-at-all-not-the-secret', raw));
      expect(forged.status).to.equal(401);
      expect(forged.body.errors).to.deep.equal([{ header: 'X-Pasar-Signature', message: 'The signature does not match.' }]);
      const tampered = signWebhook(TEST_WEBHOOK_SECRET, raw.replace('payment.paid', 'payment.paid '));
      expect((await webhook(body, tampered)).status, 'signed over other bytes').to.equal(401);
      const stale = await webhook(body, signWebhook(TEST_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000) - 301));
      expect(stale.status).to.equal(401);
      expect(stale.body.detail).to.include('5 minutes');
      expect((await webhook(body, 'garbage')).status).to.equal(401);
      expect((await app.db.knex('payments').where({ checkoutId: result.checkout.id }).first()).status).to.equal('pending');
    });

    it('should answer a replayed event 200 and change nothing', async () => {
      const { result } = await buy('bca_va');
      const event = paid(result.checkout.payment.virtualAccount);
      expect((await webhook(event)).body.changed).to.equal(true);
      await app.db.knex('payments').where({ checkoutId: result.checkout.id }).update({ status: 'pending' }); // as if someone undid it
      const replay = await webhook(event);
      expect(replay.status).to.equal(200);
      expect(replay.body).to.include({ changed: false });
      expect((await app.db.knex('payments').where({ checkoutId: result.checkout.id }).first()).status, 'the replay did not pay again').to.equal('pending');
      expect(await countRows(app.db.knex, 'payment_events', (q) => q.where({ id: event.id }))).to.equal(1);
    });

    it("should refund the share of an order the shopper cancelled before the transfer arrived", async () => {
      const { buyer, result } = await buy('bca_va', [[shirt.variants[0].id, 1], [coffee.variants[0].id, 1]]);
      const gone = result.orders[0];
      expect((await app.request('POST', `/orders/${gone.id}/cancel`, { token: buyer.token })).status).to.equal(200);
      expect((await webhook(paid(result.checkout.payment.virtualAccount))).body.changed).to.equal(true);
      const now = (await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body;
      expect(now.checkout.payment).to.include({ status: 'partially_refunded', refundedAmount: gone.total });
      expect(now.orders.map((o: { id: string; paymentStatus: string }) => [o.id, o.paymentStatus])).to.deep.equal([[gone.id, 'refunded'], [result.orders[1].id, 'paid']]);
    });

    it('should answer 404 for a virtual account nobody has', async () => {
      expect((await webhook(paid('3935800000000000'))).status).to.equal(404);
    });
  });

  describe('npm run payments -- pay <VA>', () => {
    it('should send the signed notification to the running API and pay the virtual account', async function () {
      this.timeout(60_000);
      const { result } = await buy('bca_va');
      const cli = fileURLToPath(new URL('../src/cli/payments.ts', import.meta.url));
      const env = { ...process.env, NODE_ENV: 'test', PORT: new URL(app.url).port, PAYMENT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, JWT_SECRET: 'x'.repeat(40) };
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'pay', result.checkout.payment.virtualAccount], { env });
      expect(stdout).to.include('is now paid');
      expect((await app.db.knex('payments').where({ checkoutId: result.checkout.id }).first()).status).to.equal('paid');
    });
  });

  describe('expiry', () => {
    it('should cancel the orders of an unpaid virtual account with "payment expired", put the stock back once and email the shopper', async () => {
      const before = await stockOf(coffee.variants[0].id);
      const { result } = await buy('bca_va', [[coffee.variants[0].id, 3]]);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before - 3);
      await app.db.knex('payments').where({ checkoutId: result.checkout.id }).update({ expiresAt: new Date(Date.now() - 1000) });
      expect(await payments.expireDue()).to.be.at.least(1);
      expect(await payments.expireDue(), 'a second run finds nothing').to.equal(0);
      const order = await app.db.knex('orders').where({ id: result.orders[0].id }).first();
      expect([order.status, order.cancelReason, order.paymentStatus]).to.deep.equal(['cancelled', 'payment expired', 'expired']);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before);
      const told = await app.db.knex('outbox').where({ topic: 'order.status-changed' }).whereRaw("payload->>'orderId' = ?", [order.id]);
      expect(told.map((r) => r.payload.to)).to.deep.equal(['cancelled']);
    });

    it('should refund in full a transfer the bank took after the virtual account expired, once, and leave the orders cancelled', async () => {
      const before = await stockOf(coffee.variants[0].id);
      const { buyer, result } = await buy('bca_va', [[coffee.variants[0].id, 2], [shirt.variants[0].id, 1]]);
      await app.db.knex('payments').where({ checkoutId: result.checkout.id }).update({ expiresAt: new Date(Date.now() - 1000) });
      expect(await payments.expireDue()).to.be.at.least(1);
      const event = paid(result.checkout.payment.virtualAccount);
      const late = await webhook(event);
      expect(late.status).to.equal(200);
      expect(late.body, 'the money goes back').to.include({ changed: true, status: 'refunded' });
      expect((await webhook(event)).body, 'a replay refunds nothing more').to.include({ changed: false, status: 'refunded' });
      const now = (await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body;
      expect(now.checkout.payment).to.include({ status: 'refunded', refundedAmount: result.checkout.total });
      expect(now.orders.map((o: { status: string; paymentStatus: string }) => [o.status, o.paymentStatus])).to.deep.equal([['cancelled', 'refunded'], ['cancelled', 'refunded']]);
      const atGateway = await app.db.knex('simGatewayRefunds').where({ chargeKey: result.checkout.id }).sum({ n: 'amount' }).first();
      expect(Number(atGateway!.n), 'the gateway refunded all of it').to.equal(result.checkout.total);
      expect(await stockOf(coffee.variants[0].id), 'the stock stays back on sale').to.equal(before);
      expect((await app.db.knex('paymentEvents').where({ id: event.id }).first()).outcome).to.equal('refunded: paid after it expired');

      // the shopper hears, order by order, that the money goes back
      while ((await relayOutbox(app.db.knex, outboxHandlers(app.platform))) > 0);
      const { email } = await app.db.knex('users').where({ id: buyer.userId }).first('email');
      const caught = (await (await fetch(`${required(testEnv.inboxUrl)}/api/email`)).json()) as Array<{ subject: string; text: string; to: Array<{ address: string }> }>;
      for (const order of result.orders) {
        const told = caught.filter((m) => m.to.some((t) => t.address === email) && m.subject === `Dana dikembalikan · ${order.number}`);
        expect(told, order.number).to.have.length(1);
        expect(told[0].text).to.include(`Dana Rp ${order.total.toLocaleString('id-ID')} dikembalikan ke metode pembayaranmu`);
        expect(told[0].text, "Pasar's own reason in the shopper's language").to.include('Alasan: pembayaran melewati batas waktu');
      }
    });

    it('should let exactly one of a payment and the expiry win when they race', async function () {
      this.timeout(60_000);
      for (let round = 0; round < 6; round++) {
        const before = await stockOf(coffee.variants[0].id);
        const { result } = await buy('bca_va', [[coffee.variants[0].id, 2]]);
        await app.db.knex('payments').where({ checkoutId: result.checkout.id }).update({ expiresAt: new Date(Date.now() - 1000) });
        const [notice] = await Promise.all([webhook(paid(result.checkout.payment.virtualAccount)), payments.expireDue()]);
        const payment = await app.db.knex('payments').where({ checkoutId: result.checkout.id }).first();
        const order = await app.db.knex('orders').where({ id: result.orders[0].id }).first();
        if (payment.status === 'paid') {
          expect(notice.body.changed).to.equal(true);
          expect([order.status, order.paymentStatus]).to.deep.equal(['pending', 'paid']);
          expect(await stockOf(coffee.variants[0].id)).to.equal(before - 2);
        } else {
          // the expiry came first: the transfer that followed went back in full
          expect(payment.status).to.equal('refunded');
          expect(notice.body).to.include({ changed: true, status: 'refunded' });
          expect(Number(payment.refundedAmount)).to.equal(result.checkout.total);
          expect([order.status, order.paymentStatus]).to.deep.equal(['cancelled', 'refunded']);
          expect(await stockOf(coffee.variants[0].id), 'stock back exactly once').to.equal(before);
        }
      }
    });
  });

  describe('the order state machine asks the payment', () => {
    it('should let a seller process cash on delivery unpaid, and mark it paid when delivered', async () => {
      const { buyer, result } = await buy('cod');
      const [order] = result.orders;
      const move = (body: Record<string, unknown>) => app.request('POST', `/seller/orders/${order.id}/status`, { token: batik.token, body });
      expect((await move({ status: 'processing' })).status).to.equal(200);
      expect((await move({ status: 'shipped', trackingNumber: 'JNE-12345678' })).status).to.equal(200);
      const delivered = await app.request('POST', `/orders/${order.id}/confirm-receipt`, { token: buyer.token });
      expect(delivered.body.paymentStatus).to.equal('paid');
      expect((await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body.checkout.paymentStatus).to.equal('paid');
    });

    it("should refund a paid order's share through the gateway when it is cancelled, record it and say so in the email", async () => {
      const { buyer, result } = await buy('ovo', [[shirt.variants[0].id, 1], [coffee.variants[0].id, 1]]);
      expect(result.checkout.paymentStatus).to.equal('paid');
      const batikOrder = result.orders.find((o: { store: { name: string } }) => o.store.name === 'Batik Jogja');
      const cancelled = await app.request('POST', `/seller/orders/${batikOrder.id}/status`, { token: batik.token, body: { status: 'cancelled', reason: 'Stok rusak' } });
      expect(cancelled.status).to.equal(200);
      expect(cancelled.body.paymentStatus).to.equal('refunded');
      const now = (await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body;
      expect(now.checkout.payment).to.include({ status: 'partially_refunded', refundedAmount: batikOrder.total });
      const refund = await app.db.knex('refunds').where({ orderId: batikOrder.id }).first();
      expect(refund).to.include({ status: 'done' });
      expect(Number(refund.amount)).to.equal(batikOrder.total);
      const atGateway = await app.db.knex('simGatewayRefunds').where({ id: refund.id }).first();
      expect(Number(atGateway.amount), 'the gateway refunded the order share').to.equal(batikOrder.total);

      // the email, as the relay sends it to the run's SMTP catcher
      while ((await relayOutbox(app.db.knex, outboxHandlers(app.platform))) > 0);
      const { email } = await app.db.knex('users').where({ id: buyer.userId }).first('email');
      const caught = (await (await fetch(`${required(testEnv.inboxUrl)}/api/email`)).json()) as Array<{ subject: string; text: string; to: Array<{ address: string }> }>;
      const sent = caught.filter((m) => m.to.some((t) => t.address === email) && m.subject.includes(batikOrder.number)).map((m) => m.text);
      expect(sent[0]).to.include(`Dana Rp ${batikOrder.total.toLocaleString('id-ID')} dikembalikan`);

      const other = result.orders.find((o: { store: { name: string } }) => o.store.name === 'Kopi Medan');
      await app.request('POST', `/seller/orders/${other.id}/status`, { token: kopi.token, body: { status: 'cancelled' } });
      const all = (await app.request('GET', `/checkouts/${result.checkout.id}`, { token: buyer.token })).body;
      expect(all.checkout.payment).to.include({ status: 'refunded', refundedAmount: result.checkout.total });
    });
  });

  describe('a failure around the gateway call', () => {
    const flow = (gateway: PaymentGateway) =>
      new CheckoutFlow(app.db.knex, gateway, new CartService(app.db.knex, { publicUrl: app.url }), shipping(), { paymentTtlSeconds: 3600 });
    const shipping = () => {
      const regions = new RegionsService(app.db.knex);
      return { addresses: new AddressesService(app.db.knex, regions), regions, calculator: new SimulatedCourier() };
    };
    const real = () => new SimulatedGateway(app.db.knex, TEST_WEBHOOK_SECRET);
    const caller = (s: Session) => ({ id: s.userId, role: 'customer' as const, sessionId: 'test' });
    const request = { shippingAddress: address(), paymentMethod: 'ovo' as const };
    // the flow raises domain errors: the problem the API answers for a run that must fail
    const failure = (run: Promise<unknown>) => run.then(
      () => expect.fail('the checkout should have failed'),
      (err: unknown) => {
        if (!(err instanceof DomainError)) return expect.fail(String(err));
        const problem = fromDomainError(err);
        return { status: problem.status, extensions: problem.extensions ?? {} };
      },
    );

    it('should confirm the order when the gateway charged but its answer was lost', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      const gateway = real();
      const lossy: PaymentGateway = Object.assign(Object.create(gateway), {
        charge: async (c: Parameters<PaymentGateway['charge']>[0]) => {
          await gateway.charge(c);
          throw new Error('connection reset after the charge');
        },
      });
      const answer = await flow(lossy).run(caller(buyer), randomUUID(), request);
      expect(answer.status).to.equal(201);
      expect(answer.body.checkout.paymentStatus).to.equal('paid');
      expect(answer.body.orders[0].status).to.equal('pending');
      expect(await countRows(app.db.knex, 'sim_gateway_charges', (q) => q.where({ idempotencyKey: answer.body.checkout.id }))).to.equal(1);
    });

    it('should leave a checkout the gateway cannot be asked about to the reconcile job, which confirms what was charged', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, shirt.variants[0].id, 1);
      const gateway = real();
      const down: PaymentGateway = Object.assign(Object.create(gateway), {
        charge: async (c: Parameters<PaymentGateway['charge']>[0]) => {
          await gateway.charge(c);
          throw new Error('crash after the charge');
        },
        find: async () => {
          throw new Error('gateway unreachable');
        },
      });
      const error = await failure(flow(down).run(caller(buyer), randomUUID(), request));
      expect(error.status).to.equal(502);
      const checkoutId = error.extensions.checkoutId as string;
      expect((await app.db.knex('checkouts').where({ id: checkoutId }).first()).status).to.equal('processing');
      expect(await flow(real()).reconcile(0)).to.equal(1);
      const settled = (await app.request('GET', `/checkouts/${checkoutId}`, { token: buyer.token })).body;
      expect(settled.checkout.paymentStatus, 'charged, so the order stands').to.equal('paid');
      expect(settled.orders[0].status).to.equal('pending');
      expect(await app.db.knex('outbox').where({ topic: 'checkout.completed' }).whereRaw("payload->>'checkoutId' = ?", [checkoutId])).to.have.length(1);
      expect(await flow(real()).reconcile(0), 'settled once').to.equal(0);
    });

    it('should refund a charge that lands after the reconcile job gave the checkout up', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, coffee.variants[0].id, 1);
      const before = await stockOf(coffee.variants[0].id);
      const gateway = real();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow: PaymentGateway = Object.assign(Object.create(gateway), {
        charge: async (c: Parameters<PaymentGateway['charge']>[0]) => {
          await held;
          return gateway.charge(c);
        },
      });
      const running = failure(flow(slow).run(caller(buyer), randomUUID(), request));
      let checkoutId: string | undefined;
      while (!checkoutId) {
        checkoutId = (await app.db.knex('checkouts').where({ userId: buyer.userId, status: 'processing' }).first('id'))?.id;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await flow(real()).reconcile(0), 'no charge known yet: given up').to.equal(1);
      release();
      const error = await running;
      expect(error.status).to.equal(502);
      const charge = await app.db.knex('simGatewayCharges').where({ idempotencyKey: checkoutId }).first();
      expect(Number(charge.refunded), 'the late charge went back in full').to.equal(Number(charge.amount));
      expect((await app.db.knex('orders').where({ checkoutId }).first()).status).to.equal('cancelled');
      expect(await stockOf(coffee.variants[0].id)).to.equal(before);
    });

    it('should buy nothing and charge nothing when the gateway never took the charge', async () => {
      const buyer = await signUpCustomer(app);
      await add(buyer, coffee.variants[0].id, 2);
      const before = await stockOf(coffee.variants[0].id);
      const refused: PaymentGateway = Object.assign(Object.create(real()), {
        charge: async () => {
          throw new Error('connection refused');
        },
      });
      const error = await failure(flow(refused).run(caller(buyer), randomUUID(), request));
      expect(error.status).to.equal(502);
      const checkoutId = error.extensions.checkoutId as string;
      expect(await countRows(app.db.knex, 'sim_gateway_charges', (q) => q.where({ idempotencyKey: checkoutId }))).to.equal(0);
      expect(await stockOf(coffee.variants[0].id)).to.equal(before);
      expect((await app.db.knex('orders').where({ checkoutId }).first()).status).to.equal('cancelled');
      expect((await app.request('GET', '/cart', { token: buyer.token })).body.itemCount, 'the cart is as it was').to.equal(2);
    });
  });
});

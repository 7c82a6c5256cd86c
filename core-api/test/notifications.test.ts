import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { defineJobs, outboxHandlers } from '../src/jobs.ts';
import { startEmbeddedMail, type EmbeddedMailHandle } from '../src/platform/embedded/mail.ts';
import { Mailer } from '../src/platform/mail/mailer.ts';
import { startPlatform } from '../src/platform/index.ts';
import { createLogger } from '../src/logger.ts';
import { notificationHandlers } from '../src/modules/notifications/handlers.ts';
import { queueDueWeeklyReports, weeklyReport } from '../src/modules/notifications/weekly-report.ts';
import { relayOutbox } from '../src/modules/outbox/relay.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpSeller, uniqueEmail, type Session } from './support/fixtures.ts';

interface CaughtEmail {
  subject: string;
  text: string;
  html: string;
  to: Array<{ address: string }>;
  headers: Record<string, string>;
}

describe('transactional email and the weekly report', () => {
  let mail: EmbeddedMailHandle;
  let app: TestApp;
  let batik: Session;
  let kopi: Session;
  let shirt: { id: string; variants: Array<{ id: string; sku: string }> };
  let coffee: { id: string; variants: Array<{ id: string; sku: string }> };

  /** What the SMTP server this test started received for one address. */
  const inbox = async (to: string): Promise<CaughtEmail[]> => {
    const all = (await (await fetch(`${mail.inboxUrl}/api/email`)).json()) as CaughtEmail[];
    return all.filter((e) => e.to.some((t) => t.address.toLowerCase() === to.toLowerCase()));
  };
  /** Drains the outbox (the relay takes a batch at a time). */
  const relay = async () => {
    while ((await relayOutbox(app.db.knex, outboxHandlers(app.platform))) > 0);
  };

  async function shopper(locale: 'id' | 'en' = 'id') {
    const email = uniqueEmail('pembeli');
    const res = await app.request('POST', '/auth/register', { body: { email, password: 'rahasia-sekali-123', name: 'Rina', role: 'customer', locale } });
    return { token: res.body.accessToken as string, userId: res.body.user.id as string, email };
  }

  async function buy(buyer: { token: string }, lines: Array<[string, number]>, paymentMethod = 'bca_va') {
    for (const [variantId, quantity] of lines) await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } });
    const res = await app.request('POST', '/checkout', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: { recipient: 'Rina', phone: '081355556666', street: 'Jl. Sudirman 5', city: 'Yogyakarta', province: 'DIY', postalCode: '55223' }, paymentMethod },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  before(async () => {
    // a real SMTP server of this test's own, whatever SMTP_URL the run has
    mail = await startEmbeddedMail({});
    app = await startTestApp({ SMTP_URL: mail.smtpUrl });
    const cats = await categories(app);
    batik = await signUpSeller(app, 'Batik Jogja', 'Yogyakarta');
    kopi = await signUpSeller(app, 'Kopi Bandung', 'Bandung');
    shirt = await createProduct(app, batik, { title: 'Kemeja Batik Parang', categoryId: cats.kemeja, status: 'active', options: [{ name: 'Ukuran', values: ['M', 'L'] }], variants: [{ options: { Ukuran: 'M' }, price: 133000, stock: 50 }, { options: { Ukuran: 'L' }, price: 143000, stock: 12 }] });
    coffee = await createProduct(app, kopi, { title: 'Kopi Arabika Gayo', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 95000, stock: 40 }] });
    await relay();
  });
  after(async () => {
    await app?.close();
    await mail?.stop();
  });

  const sellerEmail = async (seller: Session) => (await app.db.knex('users').where({ id: seller.userId }).first('email')).email as string;

  describe('order emails', () => {
    it('should send the shopper one confirmation per checkout and each seller only their own order', async () => {
      const buyer = await shopper('id');
      const result = await buy(buyer, [[shirt.variants[0].id, 2], [coffee.variants[0].id, 1]]);
      await relay();

      const [confirmation, ...more] = await inbox(buyer.email);
      expect(more, 'one email per checkout').to.have.length(0);
      expect(confirmation.subject).to.equal(`Pesanan kamu sudah diterima: Rp ${result.checkout.total.toLocaleString('id-ID')}`);
      expect(confirmation.text).to.include('Batik Jogja').and.include('Kopi Bandung');
      expect(confirmation.text).to.include('Kemeja Batik Parang (M) x 2: Rp 266.000');
      expect(confirmation.text).to.include(result.orders[0].number).and.include(result.orders[1].number);
      expect(confirmation.text).to.include(result.checkout.payment.virtualAccount);
      expect(confirmation.html).to.include('Rp 266.000');

      const toBatik = (await inbox(await sellerEmail(batik))).filter((e) => e.subject.includes(result.orders[0].number));
      const toKopi = (await inbox(await sellerEmail(kopi))).filter((e) => e.subject.includes(result.orders[1].number));
      expect(toBatik).to.have.length(1);
      expect(toKopi).to.have.length(1);
      expect(toBatik[0].text).to.include('Kemeja Batik Parang').and.not.include('Kopi Arabika');
      expect(toKopi[0].text).to.include('Kopi Arabika Gayo').and.not.include('Kemeja');
      expect(toBatik[0].subject).to.equal(`Pesanan baru ${result.orders[0].number} · Rp 277.000`);
    });

    it("should write in English to a shopper who chose it", async () => {
      const buyer = await shopper('en');
      await buy(buyer, [[coffee.variants[0].id, 1]], 'cod');
      await relay();
      const [email] = await inbox(buyer.email);
      expect(email.subject).to.match(/^We received your order: Rp 1\d\d\.000$/);
      expect(email.text).to.include('Thank you, Rina!').and.include('ready to pay the courier in cash');
    });

    it('should tell the shopper every status change: processing, shipped with tracking, delivered, cancelled with the reason', async () => {
      const buyer = await shopper('id');
      const { orders: [order] } = await buy(buyer, [[shirt.variants[0].id, 1]], 'ovo');
      const move = (body: Record<string, unknown>) => app.request('POST', `/seller/orders/${order.id}/status`, { token: batik.token, body });
      await move({ status: 'processing' });
      await move({ status: 'shipped', trackingNumber: 'JNE-88990011' });
      await app.request('POST', `/orders/${order.id}/confirm-receipt`, { token: buyer.token });
      await relay();
      const subjects = (await inbox(buyer.email)).map((e) => e.subject);
      expect(subjects).to.include.members([
        `Pesanan sedang diproses · ${order.number}`,
        `Pesanan sudah dikirim · ${order.number}`,
        `Pesanan sudah diterima · ${order.number}`,
      ]);
      const shipped = (await inbox(buyer.email)).find((e) => e.subject.startsWith('Pesanan sudah dikirim'))!;
      expect(shipped.text).to.include('Nomor resi: JNE-88990011');

      const second = await shopper('en');
      const { orders: [other] } = await buy(second, [[shirt.variants[0].id, 1]]);
      await app.request('POST', `/seller/orders/${other.id}/status`, { token: batik.token, body: { status: 'cancelled', reason: 'Warna habis' } });
      await relay();
      const cancelled = (await inbox(second.email)).find((e) => e.subject.startsWith('Your order was cancelled'))!;
      expect(cancelled.text).to.include('Reason: Warna habis');
      expect(cancelled.text, 'an unpaid order promises no refund').to.not.include('refund');
    });
  });

  describe('low-stock alerts', () => {
    it('should alert the seller once per crossing below the threshold, not on every sale', async () => {
      const to = await sellerEmail(batik);
      const before = (await inbox(to)).filter((e) => e.subject.startsWith('Stok menipis')).length;
      const buyer = await shopper();
      await buy(buyer, [[shirt.variants[1].id, 3]]); // 12 -> 9: crosses 10
      await buy(await shopper(), [[shirt.variants[1].id, 1]]); // 9 -> 8: already low
      await relay();
      const alerts = (await inbox(to)).filter((e) => e.subject.startsWith('Stok menipis'));
      expect(alerts).to.have.length(before + 1);
      expect(alerts.at(-1)!.text).to.include(`Kemeja Batik Parang (L) [${shirt.variants[1].sku}]: sisa stok 9 (batas 10)`);
    });
  });

  describe('the weekly report', () => {
    it('should total the last 7 days against the 7 before, at Monday 09:00 Jakarta, exactly once', async () => {
      const seller = await signUpSeller(app, 'Toko Laporan', 'Surabaya');
      const cats = await categories(app);
      const product = await createProduct(app, seller, { title: 'Tas Anyaman', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 100000, stock: 1000, lowStockThreshold: 5 }] });
      const cheap = await createProduct(app, seller, { title: 'Gantungan Kunci', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 20000, stock: 3 }] });
      // Monday 2026-11-23, 09:05 in Jakarta (UTC+7)
      const monday = new Date('2026-11-23T02:05:00Z');
      const place = async (variantId: string, quantity: number, at: string, cancel = false) => {
        const { orders: [order] } = await buy(await shopper(), [[variantId, quantity]], 'cod');
        await app.db.knex('orders').where({ id: order.id }).update({ placedAt: new Date(at), ...(cancel ? { status: 'cancelled' } : {}) });
      };
      // this week (Mon 16 00:00 .. Sun 22 23:59 Jakarta)
      await place(product.variants[0].id, 2, '2026-11-15T17:00:00Z'); // Mon 16 00:00 WIB: in
      await place(product.variants[0].id, 1, '2026-11-22T16:59:00Z'); // Sun 22 23:59 WIB: in
      await place(cheap.variants[0].id, 1, '2026-11-20T05:00:00Z');
      await place(product.variants[0].id, 5, '2026-11-18T05:00:00Z', true); // cancelled: out
      await place(product.variants[0].id, 1, '2026-11-22T17:00:00Z'); // Mon 23 00:00 WIB: next week, out
      // the week before
      await place(product.variants[0].id, 1, '2026-11-10T05:00:00Z');
      await place(product.variants[0].id, 1, '2026-11-15T16:59:00Z'); // Sun 15 23:59 WIB

      const report = await weeklyReport(app.db.knex, seller.storeId!, '2026-11-23');
      expect(report.current).to.deep.equal({ revenue: 320000, orders: 3, units: 4 });
      expect(report.previous).to.deep.equal({ revenue: 200000, orders: 2, units: 2 });
      expect(report.change).to.deep.equal({ revenue: '+60%', orders: '+50%', units: '+100%' });
      expect(report.topProducts.map((p) => [p.title, p.units, p.revenue])).to.deep.equal([['Tas Anyaman', 3, 300000], ['Gantungan Kunci', 1, 20000]]);
      expect(report.lowStock.map((v) => [v.title, v.stock])).to.deep.include(['Gantungan Kunci', 2]);

      expect(await queueDueWeeklyReports(app.db.knex, new Date('2026-11-23T01:59:00Z')), 'Monday 08:59: not yet').to.equal(0);
      const queued = await queueDueWeeklyReports(app.db.knex, monday);
      expect(queued).to.be.at.least(1);
      expect(await queueDueWeeklyReports(app.db.knex, new Date('2026-11-23T05:00:00Z')), 'later that day: already queued').to.equal(0);
      await relay();
      const reports = (await inbox(await sellerEmail(seller))).filter((e) => e.subject.startsWith('Laporan penjualan mingguan'));
      expect(reports).to.have.length(1);
      expect(reports[0].subject).to.equal('Laporan penjualan mingguan: Rp 320.000');
      expect(reports[0].text).to.include('Pendapatan: Rp 320.000 (Minggu lalu: Rp 200.000, +60%)');
      expect(reports[0].text).to.include('Pesanan: 3 (Minggu lalu: 2, +50%)');
      expect(reports[0].text).to.include('1. Tas Anyaman: 3 · Rp 300.000');
      expect(reports[0].text).to.include('16 November 2026 – 22 November 2026');
    });
  });

  describe('low stock is one rule: 0 < stock < threshold', () => {
    it('should list low variants in the weekly report and count them on the dashboard, sold-out ones only as out of stock', async () => {
      const seller = await signUpSeller(app, 'Toko Stok', 'Bandung');
      const cats = await categories(app);
      await createProduct(app, seller, {
        title: 'Sandal Jepit',
        options: [{ name: 'Ukuran', values: ['40', '41', '42'] }],
        categoryId: cats.fesyen,
        status: 'active',
        variants: [
          { options: { Ukuran: '40' }, price: 20000, stock: 0, lowStockThreshold: 5 },
          { options: { Ukuran: '41' }, price: 20000, stock: 4, lowStockThreshold: 5 },
          { options: { Ukuran: '42' }, price: 20000, stock: 5, lowStockThreshold: 5 },
        ],
      });
      const report = await weeklyReport(app.db.knex, seller.storeId!, '2026-11-23');
      expect(report.lowStock.map((v) => [v.options.Ukuran, v.stock])).to.deep.equal([['41', 4]]);
      const dashboard = await app.request('GET', '/seller/analytics', { token: seller.token });
      expect(dashboard.body.summary).to.include({ lowStockCount: 1, outOfStockCount: 1 });
      const low = await app.request('GET', '/seller/inventory?status=low', { token: seller.token });
      expect(low.body.items.map((r: { stock: number; status: string }) => [r.stock, r.status])).to.deep.equal([[4, 'low']]);
    });
  });

  describe('delivery guarantees', () => {
    it('should deliver events left pending by a stopped process after a restart, once', async () => {
      await relay();
      const buyer = await shopper();
      const { checkout } = await buy(buyer, [[coffee.variants[0].id, 1]]);
      expect(await inbox(buyer.email), 'nothing sent before the relay runs').to.have.length(0);

      // a new process on the same database: its Agenda relay job picks the rows up
      const log = createLogger({ logLevel: 'silent' });
      const restarted = await startPlatform({ ...app.config, smtpUrl: mail.smtpUrl }, { log });
      try {
        await defineJobs(restarted, app.config, log);
        await restarted.scheduler.start();
        const deadline = Date.now() + 20_000;
        while ((await inbox(buyer.email)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      } finally {
        await restarted.stop();
      }
      expect(await inbox(buyer.email)).to.have.length(1);
      const row = await app.db.knex('outbox').where({ topic: 'checkout.completed' }).whereRaw("payload->>'checkoutId' = ?", [checkout.id]).first();
      expect(row.status).to.equal('done');
      expect(row.attempts).to.equal(1);
    });

    it('should send each email once when two workers drain the outbox together', async () => {
      const buyers = await Promise.all(Array.from({ length: 8 }, () => shopper()));
      for (const buyer of buyers) await buy(buyer, [[coffee.variants[0].id, 1]], 'cod');
      const workers = [0, 1].map(() => new Mailer(mail.smtpUrl, 'Pasar <no-reply@pasar.test>'));
      try {
        const drained = await Promise.all(
          workers.map(async (mailer) => {
            let n = 0;
            for (let got = -1; got !== 0; ) n += got = await relayOutbox(app.db.knex, notificationHandlers(app.db.knex, mailer), 3);
            return n;
          }),
        );
        expect(drained[0] + drained[1]).to.be.at.least(16);
      } finally {
        workers.forEach((m) => m.close());
      }
      for (const buyer of buyers) {
        const emails = await inbox(buyer.email);
        expect(emails, buyer.email).to.have.length(1);
        expect(emails[0].headers['message-id'], 'the event id is the Message-ID').to.match(/^<[0-9a-f-]{36}@outbox\.pasar>$/);
      }
    });
  });
});

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { startStorefront, type RunningStorefront } from './support/storefront.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const WEBHOOK_SECRET = 'storefront-walk-webhook-secret-0123456789';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** axe-core on the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  expect(violations, `axe on ${label}`).to.deep.equal([]);
}

let shot = 0;
/** Axe, then screenshots at 1280 px and 360 px (full page), and no sideways scrolling on the phone. */
/** Astro drops an island's `ssr` attribute once it has hydrated: before that, a click or a choice is lost on it. */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('astro-island[ssr]') === null);
}

async function visit(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('load');
  await expectAccessible(page, label);
  const name = `${String(++shot).padStart(2, '0')}-${label}`;
  await page.screenshot({ path: `${artifacts}${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label} scrolls sideways at 360 px`).to.be.at.most(0);
  await page.screenshot({ path: `${artifacts}${name}-360.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('the storefront in a browser (a new shopper from search to review)', function () {
  this.timeout(240_000);
  let app: TestApp;
  let storefront: RunningStorefront;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shirt: { id: string; variants: Array<{ id: string; options: Record<string, string> }> };
  let coffee: { id: string; variants: Array<{ id: string; options: Record<string, string> }> };

  const stockOf = async (productId: string, variantId: string) => {
    const { data } = await app.client.GET('/products/{id}', { params: { path: { id: productId } } });
    return data!.variants.find((v) => v.id === variantId)!.stock;
  };

  before(async function () {
    this.timeout(120_000);
    mkdirSync(artifacts, { recursive: true });
    app = await startTestApp({ PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET });
    await seedDemo({ knex: app.db.knex, storage: app.platform.storage });
    // known stock: every shirt variant 20 except one sold-out combination; every coffee variant 50
    const knex = app.db.knex;
    const ids = async (title: string) => (await knex('products').where({ title }).first('id')).id as string;
    const shirtId = await ids('Kemeja Linen Kerah Mandarin');
    const coffeeId = await ids('Kopi Arabika Gayo 250g');
    await knex('productVariants').where({ productId: shirtId }).update({ stock: 20 });
    await knex('productVariants').where({ productId: shirtId }).whereRaw(`options->>'Ukuran' = 'XL' and options->>'Warna' = 'Krem'`).update({ stock: 0 });
    await knex('productVariants').where({ productId: coffeeId }).update({ stock: 50 });
    shirt = (await app.client.GET('/products/{id}', { params: { path: { id: shirtId } } })).data!;
    coffee = (await app.client.GET('/products/{id}', { params: { path: { id: coffeeId } } })).data!;
    storefront = await startStorefront(app.url, { PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  });
  after(async function () {
    if (this.currentTest?.state === 'failed') console.log(storefront?.output().slice(-3000));
    await browser?.close();
    await storefront?.stop();
    await app?.close();
  });

  it('should take a shopper from registration to a verified review on the product page', async () => {
    await page.goto(storefront.url);
    await visit(page, 'home');

    // register (which signs in)
    await page.getByRole('link', { name: 'Daftar' }).click();
    await visit(page, 'register');
    const email = `walk.${Date.now()}@pasar.test`;
    await page.getByLabel('Nama').fill('Sari Pembeli');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Kata sandi').fill('rahasia-sekali-123');
    await page.getByRole('button', { name: 'Daftar' }).click();
    await page.getByRole('link', { name: 'Pesanan Saya' }).first().waitFor();

    // search with a typo, then filter to what is in stock
    await page.getByRole('searchbox', { name: 'Cari' }).fill('kemeja linnen');
    await page.getByRole('searchbox', { name: 'Cari' }).press('Enter');
    await page.waitForURL(/\/cari\?q=kemeja\+linnen/);
    await page.getByRole('link', { name: 'Kemeja Linen Kerah Mandarin' }).first().waitFor();
    await page.getByLabel('Stok tersedia').check();
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/stok=1/);
    await visit(page, 'search');

    // the product: the sold-out combination cannot be picked
    await page.getByRole('link', { name: 'Kemeja Linen Kerah Mandarin' }).click();
    await page.waitForURL(/\/produk\/kemeja-linen-kerah-mandarin-/);
    await hydrated(page);
    const warna = page.getByRole('group', { name: 'Warna' });
    const ukuran = page.getByRole('group', { name: 'Ukuran' });
    await warna.getByRole('radio', { name: 'Krem' }).check();
    expect(await ukuran.getByRole('radio', { name: 'XL' }).isDisabled(), 'a sold-out combination is disabled').to.equal(true);
    await ukuran.getByRole('radio', { name: 'M' }).check();
    await page.getByText('Stok: 20').first().waitFor();
    await page.getByLabel('Jumlah').fill('2');
    await visit(page, 'product');
    // by keyboard: Tab reaches the button, its focus is visible, Enter adds to the cart
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused).to.deep.equal({ text: 'Tambah ke Keranjang', outline: 'solid' });
    await page.keyboard.press('Enter');
    await page.getByText('Ditambahkan ke keranjang.').first().waitFor();

    // the shirt's store, then a second store's product, found by browsing its category
    await page.getByRole('link', { name: 'Kunjungi toko Batik Sekar Jagad' }).click();
    await page.getByRole('heading', { name: 'Batik Sekar Jagad', level: 1 }).waitFor();
    await visit(page, 'store');
    await page.goto(`${storefront.url}/kategori/kopi`);
    await visit(page, 'category');
    await page.getByRole('link', { name: 'Kopi Arabika Gayo 250g' }).click();
    await page.waitForURL(/\/produk\/kopi-arabika-gayo-250g/);
    await hydrated(page);
    await page.getByRole('group', { name: 'Gilingan' }).getByRole('radio', { name: 'Halus' }).check();
    await page.getByRole('button', { name: 'Tambah ke Keranjang' }).click();
    await page.getByText('Ditambahkan ke keranjang.').first().waitFor();

    // the cart: one group per store
    await page.getByRole('link', { name: 'Keranjang', exact: true }).click();
    await page.getByRole('region', { name: 'Batik Sekar Jagad' }).first().waitFor();
    await page.getByRole('region', { name: 'Kopi Priangan Asep' }).first().waitFor();
    await visit(page, 'cart');

    // checkout with an address and a BCA virtual account; a double click orders once
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.waitForURL(/\/checkout$/);
    await hydrated(page);
    await page.getByLabel('Nama penerima').fill('Sari Pembeli');
    await page.getByLabel('Nomor HP').fill('081234567890');
    await page.getByLabel('Alamat', { exact: true }).fill('Jl. Malioboro 12');
    await page.getByLabel('Provinsi').selectOption({ label: 'Daerah Istimewa Yogyakarta' });
    await page.getByLabel('Kota').selectOption({ label: 'Kota Yogyakarta' });
    await page.getByLabel('Kode pos').fill('55271');
    await page.getByLabel('Simpan alamat ini').check();
    await page.getByLabel('BCA Virtual Account').check();
    // the API's quote shows each store's shipping and the grand total before the order is placed
    const summary = page.getByRole('region', { name: 'Ringkasan' });
    await summary.getByText(/Ongkos kirim/).nth(1).waitFor();
    const grand = (await summary.locator('.grand strong').textContent())!;
    await visit(page, 'checkout');
    await page.getByRole('button', { name: 'Buat Pesanan' }).dblclick();
    await page.waitForURL(/\/checkout\/selesai/);
    await page.getByText('Nomor Virtual Account BCA').waitFor();
    await visit(page, 'placed');
    await page.reload();
    const numbers = page.getByRole('link', { name: /^PSR-/ });
    await numbers.nth(1).waitFor();
    expect(await numbers.count()).to.equal(2);

    const session = (await context.cookies()).find((c) => c.name === 'pasar_at')!;
    expect(session.httpOnly).to.equal(true);
    const orders = (await app.request('GET', '/orders', { token: session.value })).body.items as Array<{ id: string; number: string; store: { slug: string } }>;
    expect(orders).to.have.length(2);
    const charged = (orders as unknown as Array<{ total: number }>).reduce((n, o) => n + o.total, 0);
    expect(grand).to.equal(`Rp ${charged.toLocaleString('id-ID')}`);
    const saved = (await app.request('GET', '/me/addresses', { token: session.value })).body.items;
    expect(saved).to.have.length(1);
    expect(saved[0]).to.include({ cityCode: '34.71', postalCode: '55271' });
    const coffeeOrder = orders.find((o) => o.store.slug === 'kopi-priangan-asep')!;
    const shirtOrder = orders.find((o) => o.store.slug === 'batik-sekar-jagad')!;
    const halus = coffee.variants.find((v) => v.options.Gilingan === 'Halus')!;
    expect(await stockOf(coffee.id, halus.id)).to.equal(49);

    // embedded mode: the demo pays the virtual account from the result page
    await page.getByRole('button', { name: 'Simulasikan pembayaran' }).click();
    await page.getByText('Pembayaran diterima.').waitFor();
    await page.getByText('Sudah dibayar').first().waitFor();

    // cancel the coffee order: its stock comes back
    await page.getByRole('link', { name: coffeeOrder.number }).click();
    await page.getByRole('button', { name: 'Batalkan Pesanan' }).click();
    await page.getByText('Pesanan dibatalkan.').first().waitFor();
    expect(await stockOf(coffee.id, halus.id)).to.equal(50);

    // the seller ships the shirt (through the API)
    const seller = await app.request('POST', '/auth/login', { body: { email: 'batik@pasar.test', password: DEMO_PASSWORD } });
    for (const body of [{ status: 'processing' }, { status: 'shipped', trackingNumber: 'JNE-WALK-0001' }]) {
      const moved = await app.request('POST', `/seller/orders/${shirtOrder.id}/status`, { token: seller.body.accessToken, body });
      expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    }

    // the shopper confirms receipt from My orders, then reviews
    await page.getByRole('banner').getByRole('link', { name: 'Pesanan Saya' }).click();
    await page.getByRole('link', { name: 'Dibatalkan' }).click();
    await page.getByRole('link', { name: coffeeOrder.number }).waitFor();
    expect(await page.getByRole('link', { name: shirtOrder.number }).count()).to.equal(0);
    await page.getByRole('link', { name: 'Semua' }).click();
    await visit(page, 'orders');
    await page.getByRole('link', { name: shirtOrder.number }).click();
    await page.getByText('JNE-WALK-0001').first().waitFor();
    await page.getByRole('button', { name: 'Pesanan Diterima' }).click();
    await page.getByText('Terima kasih! Pesanan ditandai diterima.').first().waitFor();
    const review = page.getByRole('region', { name: /Tulis Ulasan/ });
    await review.getByRole('group', { name: 'Rating' }).getByRole('radio', { name: '4 bintang' }).check();
    await review.getByLabel('Ulasan').fill('Linennya adem, jahitan rapi.');
    await visit(page, 'order');
    await review.getByRole('button', { name: 'Kirim Ulasan' }).click();
    await page.getByText('Terima kasih, ulasan Anda sudah tayang.').first().waitFor();

    // log out and back in
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('link', { name: 'Masuk' }).click();
    await visit(page, 'login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Kata sandi').fill('rahasia-sekali-123');
    await page.getByRole('main').getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Pesanan Saya' }).waitFor();

    await page.goto(`${storefront.url}/produk/${shirt.id}`);
    const reviews = page.getByRole('region', { name: /Ulasan/ });
    await reviews.getByText('Linennya adem, jahitan rapi.').first().waitFor();
    await reviews.getByText('Pembelian terverifikasi').first().waitFor();
    await visit(page, 'product-reviewed');
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(ld.aggregateRating).to.include({ ratingValue: 4, reviewCount: 1 });
  });
});

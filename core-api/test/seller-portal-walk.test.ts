import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { freePort } from '../src/platform/embedded/ports.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, signUpCustomer } from './support/fixtures.ts';

const portalDir = fileURLToPath(new URL('../../seller-portal/', import.meta.url));
const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/seller-portal/', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs a command to its end; rejects with its output when it fails. */
function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: portalDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** Starts `vite preview` and resolves once it answers. */
async function preview(outDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [vite, 'preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: portalDir,
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('vite preview did not answer');
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function axe(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious, null, 1)}`).to.deep.equal([]);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}

const png = (r: number, g: number, b: number) => sharp({ create: { width: 640, height: 640, channels: 3, background: { r, g, b } } }).png().toBuffer();

describe('the seller portal, walked in a browser (npm test builds it first)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let portal: ChildProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let portalUrl: string;
  let outDir: string;
  const email = `walk.${Date.now()}@pasar.test`;
  const password = 'rahasia-sekali-123';
  let productId = '';
  let orderNumber = '';
  /** The seller's own access token, for changes made "elsewhere" while a page is open. */
  const sellerToken = async () => (await app.request('POST', '/auth/login', { body: { email, password } })).body.accessToken as string;

  before(async () => {
    const port = await freePort();
    portalUrl = `http://127.0.0.1:${port}`;
    app = await startTestApp({ CORS_ORIGINS: portalUrl });
    await categories(app);
    outDir = await mkdtemp(path.join(tmpdir(), 'pasar-portal-'));
    await mkdir(artifacts, { recursive: true });
    // built against this API: the same files `npm run build` makes, pointed here
    await run([vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { PASAR_API_URL: app.url });
    portal = await preview(outDir, port);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // an English browser: the portal still speaks Indonesian by default, and asks the API for it
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'Asia/Jakarta' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    portal?.kill();
    if (outDir) await rm(outDir, { recursive: true, force: true });
    await app?.close();
  });

  it('should register a seller with a store and land on the dashboard', async () => {
    await page.goto(`${portalUrl}/register`);
    await page.getByRole('heading', { name: 'Buka toko di Pasar' }).waitFor();
    await axe(page, 'register');
    await shot(page, 'register');
    // a refused form keeps what was typed and marks the field
    await page.getByLabel('Nama Anda').fill('Sari Rahayu');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Kata sandi').fill('pendek');
    await page.getByLabel('Nama toko').fill('Rotan Sari');
    await page.getByLabel('Provinsi').selectOption({ label: 'Daerah Istimewa Yogyakarta' });
    await page.getByLabel('Kota').selectOption({ label: 'Kota Yogyakarta' });
    await page.getByRole('button', { name: 'Daftar' }).click();
    await page.locator('.field-error').first().waitFor();
    expect(await page.getByLabel('Kata sandi').getAttribute('aria-invalid')).to.equal('true');
    // the API's own field message, in the portal's language
    await page.getByText(/^minimal \d+ karakter$/).waitFor();
    expect(await page.getByLabel('Nama toko').inputValue()).to.equal('Rotan Sari');
    expect(await page.getByLabel('Kota').inputValue()).to.equal('34.71');
    await axe(page, 'register with errors');

    await page.getByLabel('Kata sandi').fill(password);
    await page.getByRole('button', { name: 'Daftar' }).click();
    await page.getByRole('heading', { name: 'Dasbor' }).waitFor();
    expect(await page.getByTestId('revenue-today').textContent()).to.equal('Rp 0');
    expect(await app.db.knex('stores').where({ name: 'Rotan Sari' }).first()).to.include({ cityCode: '34.71' });
    // the refresh token is the API's httpOnly cookie; the page keeps no token where scripts can read it
    const refresh = (await context.cookies(`${app.url}/auth/refresh`)).find((c) => c.name === 'pasar_refresh');
    expect(refresh).to.include({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie)).not.to.match(/ey[A-Za-z0-9_-]{10,}\./);
  });

  it('should create a product with 2 x 2 variants and 2 photos, and show a refused photo on the photo', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Produk', exact: true }).click();
    await page.getByText('Belum ada produk').waitFor();
    await page.getByRole('link', { name: 'Tambah Produk' }).click();
    await page.getByLabel('Nama produk').fill('Tas Rotan Bundar');
    await page.getByLabel('Deskripsi').fill('Tas rotan anyaman tangan dari Yogyakarta.');
    await page.getByLabel('Kategori').selectOption({ label: '\u00a0\u00a0Sepatu' }).catch(() => page.getByLabel('Kategori').selectOption({ index: 2 }));
    await page.getByLabel('Status').selectOption({ label: 'Aktif' });
    await page.getByRole('button', { name: 'Tambah opsi' }).click();
    await page.getByLabel('Nama opsi').fill('Warna');
    await page.getByLabel('Nilai opsi').fill('Merah, Biru');
    await page.getByRole('button', { name: 'Tambah opsi' }).click();
    await page.getByLabel('Nama opsi').nth(1).fill('Ukuran');
    await page.getByLabel('Nilai opsi').nth(1).fill('S, M');
    await page.getByLabel('Harga semua varian').fill('133000');
    await page.getByLabel('Stok semua varian').fill('20');
    await page.getByRole('button', { name: 'Terapkan ke semua' }).click();
    expect(await page.getByLabel('Harga Biru / M').inputValue()).to.equal('133000');
    await page.getByLabel('Stok Merah / S').fill('5');
    await page.getByRole('button', { name: 'Tambah spesifikasi' }).click();
    await page.getByLabel('Label spesifikasi 1', { exact: true }).fill('Bahan');
    await page.getByLabel('Isi spesifikasi 1', { exact: true }).fill('Rotan alami');
    await page.locator('input[type=file]').setInputFiles([
      { name: 'depan.png', mimeType: 'image/png', buffer: await png(200, 120, 60) },
      { name: 'samping.png', mimeType: 'image/png', buffer: await png(90, 140, 200) },
      { name: 'catatan.png', mimeType: 'image/png', buffer: Buffer.from('bukan gambar, hanya teks') },
    ]);
    await page.getByText('Foto diunggah setelah produk disimpan.').waitFor();
    await axe(page, 'new product form');
    await shot(page, 'product-new');

    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Produk tersimpan.').waitFor();
    productId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: 'Ubah Produk' }).waitFor();
    // the two photos are stored; the text file shows the API's refusal on its own photo
    await page.locator('.photo img[alt="Foto 2"]').waitFor();
    expect(await page.locator('.photo.failed').textContent()).to.match(/Foto gagal diunggah \(415\)/);
    const product = (await app.db.knex('products').where({ id: productId }).first()) as { status: string };
    expect(product.status).to.equal('active');
    const variants = await app.db.knex('productVariants').where({ productId }).orderBy('stock');
    expect(variants.map((v: { stock: number; price: number }) => [v.stock, Number(v.price)])).to.deep.equal([[5, 133000], [20, 133000], [20, 133000], [20, 133000]]);
    expect(await app.db.knex('productImages').where({ productId }).count({ n: '*' })).to.deep.equal([{ n: 2 }]);
    await axe(page, 'edit product form');
    await shot(page, 'product-edit');

    // photos reorder by keyboard (the arrows) and by dragging; the first is the listing photo
    const order = async () => (await app.db.knex('productImages').where({ productId }).orderBy('position').pluck('id')) as string[];
    const [first, second] = await order();
    await page.getByRole('button', { name: 'Geser foto 2 ke kiri' }).click();
    for (let i = 0; i < 50 && (await order())[0] !== second; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await order()).to.deep.equal([second, first]);
    await page.locator('.photo').nth(1).dragTo(page.locator('.photo').nth(0));
    for (let i = 0; i < 50 && (await order())[0] !== first; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await order()).to.deep.equal([first, second]);

    // an edit made elsewhere after the form loaded: saving is refused (412), nothing is lost
    const seller = await sellerToken();
    expect((await app.request('PATCH', `/seller/products/${productId}`, { token: seller, body: { description: 'Diubah dari ponsel.' } })).status).to.equal(200);
    await page.getByLabel('Nama produk').fill('Tas Rotan Bundar Besar');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Produk ini diubah di tempat lain').waitFor();
    expect(await page.getByLabel('Nama produk').inputValue()).to.equal('Tas Rotan Bundar Besar');
    expect((await app.db.knex('products').where({ id: productId }).first()).title).to.equal('Tas Rotan Bundar');
    await page.getByRole('button', { name: 'Muat ulang' }).click();
    await page.waitForFunction(() => document.querySelector('textarea')?.value === 'Diubah dari ponsel.');
  });

  it('should let the storefront search find the product and a shopper order it (paid with OVO)', async () => {
    let found: Array<{ id: string }> = [];
    for (let i = 0; i < 50 && !found.some((p) => p.id === productId); i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      const { data } = await app.client.GET('/products', { params: { query: { q: 'tas rotan' } } });
      found = data?.items ?? [];
    }
    expect(found.map((p) => p.id)).to.include(productId);

    const buyer = await signUpCustomer(app);
    const variant = await app.db.knex('productVariants').where({ productId }).whereRaw("options->>'Warna' = 'Biru' and options->>'Ukuran' = 'M'").first();
    expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: variant.id, quantity: 2 } })).status).to.equal(200);
    const paid = await app.request('POST', '/checkout', {
      token: buyer.token,
      headers: { 'idempotency-key': `walk-${Date.now()}` },
      body: {
        shippingAddress: { recipient: 'Budi Santoso', phone: '081234567890', street: 'Jl. Malioboro 12', city: 'Yogyakarta', province: 'DI Yogyakarta', postalCode: '55271' },
        paymentMethod: 'ovo',
      },
    });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(201);
    expect(paid.body.checkout.paymentStatus).to.equal('paid');
    orderNumber = paid.body.orders[0].number;
  });

  it('should show the seller the order, then mark it processing, shipped with a tracking number, and delivered', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Pesanan', exact: true }).click();
    await page.getByRole('button', { name: /Menunggu\s*1/ }).waitFor();
    await page.getByLabel('Cari nomor pesanan').fill(orderNumber.slice(-6));
    await page.getByRole('link', { name: orderNumber }).waitFor();
    await axe(page, 'orders');
    await shot(page, 'orders');
    await page.getByRole('link', { name: orderNumber }).click();
    await page.getByText('081234567890').waitFor();
    await page.getByText('Jl. Malioboro 12').waitFor();
    await page.getByText('OVO · Lunas').waitFor();
    await axe(page, 'order detail');

    await page.getByRole('button', { name: 'Proses' }).click();
    await page.getByRole('dialog').waitFor();
    await axe(page, 'confirmation dialog');
    await page.getByRole('button', { name: 'Ya, lanjutkan' }).click();
    await page.getByText('Pesanan diperbarui: Diproses.').waitFor();

    // shipping without a tracking number is stopped on the field
    await page.getByRole('button', { name: 'Kirim' }).click();
    expect(await page.getByLabel('Nomor Resi').getAttribute('aria-invalid')).to.equal('true');
    await page.getByLabel('Nomor Resi').fill('JNE-0123456789');
    await page.getByRole('button', { name: 'Kirim' }).click();
    await page.getByRole('button', { name: 'Ya, lanjutkan' }).click();
    await page.getByText('Pesanan diperbarui: Dikirim.').waitFor();
    await page.getByText('JNE-0123456789', { exact: true }).waitFor();
    await shot(page, 'order-detail');
    const order = await app.db.knex('orders').where({ number: orderNumber }).first();
    expect(order).to.include({ status: 'shipped', trackingNumber: 'JNE-0123456789' });

    // the courier confirmed delivery: the seller closes the order
    await page.getByRole('button', { name: 'Tandai sampai' }).click();
    await page.getByRole('button', { name: 'Ya, lanjutkan' }).click();
    await page.getByText('Pesanan diperbarui: Selesai.').waitFor();
    expect((await app.db.knex('orders').where({ number: orderNumber }).first()).status).to.equal('delivered');
  });

  it('should show today\'s revenue on the dashboard and in the chart legend on hover', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Dasbor', exact: true }).click();
    await page.getByText('Pendapatan hari ini').waitFor();
    expect(await page.getByTestId('revenue-today').textContent()).to.equal('Rp 266.000');
    const over = page.locator('[data-testid=sales-chart] .u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    await page.locator('.u-legend', { hasText: 'Rp 266.000' }).waitFor();
    await page.getByText('Tas Rotan Bundar').waitFor(); // top products
    await axe(page, 'dashboard');
    await shot(page, 'dashboard');
  });

  it('should keep an inline stock edit in the inventory across a reload, and show it in the history', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Stok', exact: true }).click();
    const field = page.getByLabel('Stok Tas Rotan Bundar – Merah / S');
    expect(await field.inputValue()).to.equal('5');
    expect(await page.locator('tr.stock-low').count()).to.equal(1);
    await field.fill('7');
    await page.getByRole('button', { name: 'Simpan semua' }).click();
    await page.getByText('1 stok tersimpan.').waitFor();
    await page.reload();
    expect(await page.getByLabel('Stok Tas Rotan Bundar – Merah / S').inputValue()).to.equal('7');
    await page.getByRole('button', { name: 'Riwayat Tas Rotan Bundar – Merah / S' }).click();
    await page.getByText('5 → 7').waitFor();

    // stock that moved after the page loaded (a sale elsewhere) refuses the batch instead of being overwritten
    const seller = await sellerToken();
    const biruS = await app.db.knex('productVariants').where({ productId }).whereRaw("options->>'Warna' = 'Biru' and options->>'Ukuran' = 'S'").first();
    expect((await app.request('PATCH', '/seller/inventory', { token: seller, body: { items: [{ variantId: biruS.id, delta: -1 }] } })).status).to.equal(200);
    await page.getByLabel('Stok Tas Rotan Bundar – Biru / S').fill('30');
    await page.getByRole('button', { name: 'Simpan semua' }).click();
    await page.getByText('stok berubah menjadi 19 sejak halaman dimuat').waitFor();
    expect(await page.getByLabel('Stok Tas Rotan Bundar – Biru / S').inputValue()).to.equal('30');
    expect((await app.db.knex('productVariants').where({ id: biruS.id }).first()).stock).to.equal(19);
    await page.getByRole('button', { name: 'Simpan semua' }).click();
    await page.getByText('1 stok tersimpan.').waitFor();
    expect((await app.db.knex('productVariants').where({ id: biruS.id }).first()).stock).to.equal(30);
    await axe(page, 'inventory');
    await shot(page, 'inventory');
  });

  it('should save the store settings and logo', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Pengaturan', exact: true }).click();
    await page.getByLabel('Deskripsi').fill('Kerajinan rotan dari Yogyakarta.');
    await page.getByRole('button', { name: 'Simpan' }).first().click();
    await page.getByText('Tersimpan.').waitFor();
    expect(await app.db.knex('stores').where({ name: 'Rotan Sari' }).first()).to.include({ description: 'Kerajinan rotan dari Yogyakarta.' });
    await page.getByLabel('Unggah logo toko').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await png(194, 65, 12) });
    await page.getByRole('img', { name: 'Logo toko' }).waitFor();
    expect((await app.db.knex('stores').where({ name: 'Rotan Sari' }).first()).logoKey).to.match(/^media\/[a-f0-9]{64}\.jpg$/);
    await axe(page, 'settings');
    await shot(page, 'settings');
  });

  it('should remember English when chosen, and log out', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('heading', { name: 'Masuk ke Portal Penjual' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Masuk' }).waitFor();
    await axe(page, 'login');
    await shot(page, 'login');
  });

  it('should work on a 360 px phone: every screen without serious axe violations, tables as cards', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Kata sandi').fill(password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Dasbor' }).waitFor();
    const screens: Array<[string, string, string]> = [
      ['dashboard', '/', 'Pendapatan hari ini'],
      ['products', '/products', 'Tas Rotan Bundar'],
      ['product-edit', `/products/${productId}`, 'Harga Merah / S'],
      ['inventory', '/inventory', 'Simpan semua'],
      ['orders', '/orders', orderNumber],
      ['settings', '/settings', 'Ganti kata sandi'],
    ];
    for (const [name, route, text] of screens) {
      await page.goto(portalUrl + route);
      await page.getByText(text).first().waitFor();
      if (name === 'dashboard') await page.locator('.u-over').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} is wider than the phone`).to.be.at.most(0);
      await axe(page, `${name} at 360 px`);
      await shot(page, name);
      if (name === 'orders') expect(await page.locator('table.cards thead').evaluate((el) => getComputedStyle(el).position), 'the table header hides: rows are cards').to.equal('absolute');
    }
  });
});

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { freePort } from '../src/platform/embedded/ports.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { startStorefront, type RunningStorefront } from './support/storefront.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** name -> value of every Set-Cookie */
  cookies: Record<string, string>;
  setCookie: string[];
}

const WEBHOOK_SECRET = 'storefront-test-webhook-secret-0123456789';

describe('the built storefront (npm test builds it first)', () => {
  let app: TestApp;
  let storefront: RunningStorefront;
  let url: string;

  /** A request as a browser at `from` (a loopback address of its own) would send it. */
  function call(path: string, init: { method?: string; headers?: Record<string, string>; form?: Record<string, string>; from?: string } = {}): Promise<Answer> {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const req = httpRequest(url + path, { method: init.method ?? 'GET', headers, localAddress: init.from ?? '127.0.0.1' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          const cookies = Object.fromEntries(setCookie.map((c) => c.split(';')[0].split('=')).map(([k, ...v]) => [k, v.join('=')]));
          resolve({ status: res.statusCode!, headers: res.headers, text, cookies, setCookie });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  before(async function () {
    this.timeout(60_000);
    // the API trusts the storefront's X-Forwarded-For; few login attempts per address, to see whose they are
    app = await startTestApp({ TRUSTED_PROXIES: 'loopback', LOGIN_LIMIT_PER_IP: '3', PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET });
    await seedDemo({ knex: app.db.knex, storage: app.platform.storage });
    // the storefront knows the simulated gateway's secret, as beside `npm start` (embedded mode)
    storefront = await startStorefront(app.url, { PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET });
    url = storefront.url;
  });
  after(async () => {
    await storefront?.stop();
    await app?.close();
  });

  it('should render the home page with the newest products and the categories from the API', async () => {
    const res = await call('/');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('Mau cari apa hari ini?');
    expect(res.text).to.include('Produk terbaru');
    expect(res.text).to.include('Dudukan Ponsel Kayu Jati');
    expect(res.text).to.include('Rp 55.000');
    expect(res.text).to.include('Makanan &amp; Minuman');
    expect(res.text).to.include('<html lang="id"');
  });

  describe('product pages', () => {
    it('should be readable without JavaScript, with sized responsive photos, canonical URL, Open Graph and JSON-LD Product in IDR', async () => {
      const product = await app.db.knex('products').where({ title: 'Kain Batik Tulis Truntum 2 Meter' }).first('id', 'slug');
      const res = await call(`/produk/${product.id}`);
      expect(res.status).to.equal(200);
      const canonical = `${url}/produk/${product.slug}-${product.id}`;
      expect(res.text).to.include(`<link rel="canonical" href="${canonical}"`);
      expect(res.text).to.include(`<meta property="og:url" content="${canonical}"`);
      expect(res.text).to.match(/<h1[^>]*>Kain Batik Tulis Truntum 2 Meter<\/h1>/);
      expect(res.text).to.include('Rp 450.000');
      expect(res.text).to.include('Tambah ke Keranjang');
      expect(res.text).to.match(/<img [^>]*srcset="[^"]+ 400w, [^"]+ \d+w"[^>]*width="\d+"[^>]*height="\d+"/);
      expect(res.text).to.match(/<img [^>]*loading="lazy"/);
      const ld = JSON.parse(res.text.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)![1]);
      expect(ld['@type']).to.equal('Product');
      expect(ld.name).to.equal('Kain Batik Tulis Truntum 2 Meter');
      expect(ld.offers.priceCurrency).to.equal('IDR');
      expect(ld.offers.price).to.equal(450000);
      expect(ld).not.to.have.property('aggregateRating');
    });

    it("should count each shopper's view of a product page once, telling browsers behind one address apart", async () => {
      // a product no other test here opens
      const product = await app.db.knex('products').where({ title: 'Teh Rosela Kering 50g' }).first('id', 'slug');
      const views = async () => Number((await app.db.knex('productDailyStats').where({ productId: product.id }).sum({ n: 'views' }).first())!.n ?? 0);
      const before = await views();
      // two phones behind one carrier address, one of them twice
      for (const agent of ['Mozilla/5.0 (Linux; Android 14; SM-A155F)', 'Mozilla/5.0 (Linux; Android 13; Redmi Note 12)', 'Mozilla/5.0 (Linux; Android 14; SM-A155F)']) {
        expect((await call(`/produk/${product.slug}-${product.id}`, { headers: { 'user-agent': agent }, from: '127.0.0.9' })).status).to.equal(200);
      }
      const started = Date.now();
      while ((await views()) < before + 2 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect((await views()) - before).to.equal(2);
    });

    it('should find a product by its bare slug too, with the same canonical URL', async () => {
      const product = await app.db.knex('products').where({ title: 'Kain Batik Tulis Truntum 2 Meter' }).first('id', 'slug');
      const res = await call(`/produk/${product.slug}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.include(`<link rel="canonical" href="${url}/produk/${product.slug}-${product.id}"`);
    });

    it('should keep search, filters, sort and page in the URL, with the stores named in the store filter', async () => {
      const store = await app.db.knex('stores').where({ slug: 'kopi-priangan-asep' }).first('id');
      const res = await call(`/cari?q=kopi&toko=${store.id}&urut=price_asc&stok=1`);
      expect(res.status).to.equal(200);
      expect(res.text).to.match(new RegExp(`<option value="${store.id}" selected[^>]*>Kopi Priangan Asep \\(\\d+\\)</option>`));
      expect(res.text).to.match(/<option value="price_asc" selected/);
      expect(res.text).to.match(/<input type="checkbox" id="stok" name="stok" value="1" checked/);
      const prices = [...res.text.matchAll(/<span class="price"[^>]*>\s*<span[^>]*>Rp ([\d.]+)<\/span>/g)].map((m) => Number(m[1].replace(/\./g, '')));
      expect(prices.length).to.be.above(1);
      expect(prices).to.deep.equal([...prices].sort((a, b) => a - b));
      expect(res.text).not.to.include('Batik Sekar Jagad ·');
    });

    it('should answer a designed 404 for a product, category or page that does not exist', async () => {
      for (const path of ['/produk/tidak-ada-00000000-0000-4000-8000-000000000000', '/kategori/tidak-ada', '/toko/tidak-ada', '/halaman-lain']) {
        const res = await call(path);
        expect(res.status, path).to.equal(404);
        expect(res.text, path).to.include('Halaman tidak ditemukan');
      }
    });
  });

  describe('store pages', () => {
    it("should show the store's logo (or its initial while it has none) on its page and its products' store cards, with the logo as the store page's Open Graph image", async () => {
      const without = await call('/toko/kopi-priangan-asep');
      expect(without.status).to.equal(200);
      expect(without.text).to.match(/<span class="logo initial[^"]*" aria-hidden="true"[^>]*>K<\/span>/);
      expect(without.text).not.to.include('og:image');
      const key = `media/${'a'.repeat(64)}.jpg`;
      await app.db.knex('stores').where({ slug: 'kopi-priangan-asep' }).update({ logoKey: key });
      try {
        const logo = (await app.request('GET', '/stores/kopi-priangan-asep')).body.logoUrl as string;
        expect(logo).to.match(new RegExp(`/${key}$`));
        const res = await call('/toko/kopi-priangan-asep');
        expect(res.text).to.match(new RegExp(`<img class="logo[^"]*" src="${logo}" alt="Logo Kopi Priangan Asep" width="400" height="400"`));
        expect(res.text).to.include(`<meta property="og:image" content="${logo}"`);
        // and on its products' pages, in the store card
        const product = await app.db.knex('products as p').join('stores as s', 's.id', 'p.storeId').where('s.slug', 'kopi-priangan-asep').first('p.id', 'p.slug');
        const page = await call(`/produk/${product.slug}-${product.id}`);
        expect(page.text).to.match(new RegExp(`<img class="store-logo[^"]*" src="${logo}" alt="Logo Kopi Priangan Asep"`));
      } finally {
        await app.db.knex('stores').where({ slug: 'kopi-priangan-asep' }).update({ logoKey: null });
      }
    });
  });

  describe('language', () => {
    it('should switch to English with ?lang=en, keep it in a cookie, and format prices the Indonesian way in both', async () => {
      const en = await call('/?lang=en');
      expect(en.text).to.include('<html lang="en"');
      expect(en.text).to.include('Newest products');
      expect(en.text).to.include('Rp 55.000');
      expect(en.cookies.lang).to.equal('en');
      const later = await call('/cari?q=kopi', { headers: { cookie: 'lang=en' } });
      expect(later.text).to.include('<html lang="en"');
      expect(later.text).to.include('In stock');
      const back = await call('/?lang=id', { headers: { cookie: 'lang=en' } });
      expect(back.text).to.include('<html lang="id"');
    });
  });

  describe('sessions', () => {
    const login = (email: string, password: string, from = '127.0.0.1') =>
      call('/masuk', { method: 'POST', headers: { origin: url }, form: { email, password, next: '/akun' }, from });

    it('should keep the tokens in httpOnly SameSite cookies and refresh the access token silently', async () => {
      const res = await login('budi@pasar.test', DEMO_PASSWORD);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/akun');
      for (const name of ['pasar_at', 'pasar_rt']) {
        const cookie = res.setCookie.find((c) => c.startsWith(`${name}=`))!;
        expect(cookie, name).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
      }
      expect(res.text).not.to.include(res.cookies.pasar_at);

      // the access cookie has expired: the page refreshes with the refresh token and still knows the shopper;
      // two pages asked at once with the same (rotating) refresh token both work
      const [a, b] = await Promise.all([call('/akun', { headers: { cookie: `pasar_rt=${res.cookies.pasar_rt}` } }), call('/akun', { headers: { cookie: `pasar_rt=${res.cookies.pasar_rt}` } })]);
      for (const page of [a, b]) {
        expect(page.status).to.equal(200);
        expect(page.text).to.include('budi@pasar.test');
        expect(page.cookies.pasar_at).to.be.a('string');
        expect(page.cookies.pasar_rt).to.be.a('string').and.not.equal(res.cookies.pasar_rt);
      }
      const again = await call('/akun', { headers: { cookie: `pasar_rt=${a.cookies.pasar_rt}` } });
      expect(again.status).to.equal(200);
    });

    it('should send a shopper whose session ended to the login page', async () => {
      const res = await call('/akun', { headers: { cookie: 'pasar_rt=not-a-real-token' } });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/masuk?next=/akun');
      expect(res.setCookie.some((c) => c.startsWith('pasar_rt=;') || /pasar_rt=.*Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c))).to.equal(true);
    });

    it('should end the session when the API refuses its access token', async () => {
      const res = await call('/akun', { headers: { cookie: 'pasar_at=not.a.token; pasar_rt=also-not' } });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/masuk?next=/akun');
      expect(res.setCookie.some((c) => /^pasar_at=.*Expires=Thu, 01 Jan 1970/i.test(c))).to.equal(true);
    });

    it('should show a refused login in words, and count sign-in attempts per shopper (X-Forwarded-For), not for the whole storefront', async () => {
      for (let i = 0; i < 3; i++) {
        const wrong = await login(`nobody${i}@pasar.test`, 'salah-sekali-123', '127.0.0.2');
        expect(wrong.status).to.equal(401);
        expect(wrong.text).to.match(/<p class="error"[^>]*role="alert"[^>]*>[^<{]+</);
      }
      const limited = await login('nobody9@pasar.test', 'salah-sekali-123', '127.0.0.2');
      expect(limited.status).to.equal(429);
      // another shopper behind the same storefront is not limited by the first one's attempts
      const other = await login('ani@pasar.test', DEMO_PASSWORD, '127.0.0.3');
      expect(other.status).to.equal(303);
    });
  });

  describe('cart and account forms (without JavaScript)', () => {
    let cookie: string;
    const post = (path: string, form: Record<string, string>) => call(path, { method: 'POST', headers: { origin: url, cookie }, form });

    before(async () => {
      const res = await call('/masuk', { method: 'POST', headers: { origin: url }, form: { email: 'ani@pasar.test', password: DEMO_PASSWORD, next: '/' }, from: '127.0.0.4' });
      expect(res.status).to.equal(303);
      cookie = `pasar_at=${res.cookies.pasar_at}; pasar_rt=${res.cookies.pasar_rt}`;
    });

    it('should add the variant chosen by its option values, show a stock problem on its line, change the quantity and remove the line', async () => {
      const product = await app.db.knex('products').where({ title: 'Kopi Arabika Puntang 200g' }).first('id', 'slug');
      const variant = await app.db.knex('productVariants').where({ productId: product.id }).whereRaw(`options->>'Gilingan' = 'Halus'`).first('id');
      await app.db.knex('productVariants').where({ id: variant.id }).update({ stock: 10 });
      const added = await post('/keranjang', { action: 'add', productId: product.id, 'opt.Gilingan': 'Halus', quantity: '3', back: `/produk/${product.slug}-${product.id}` });
      expect(added.status).to.equal(303);
      expect(added.headers.location).to.equal(`/produk/${product.slug}-${product.id}`);
      expect((await call(added.headers.location!, { headers: { cookie: `${cookie}; flash=${added.cookies.flash}` } })).text).to.include('Ditambahkan ke keranjang.');

      await app.db.knex('productVariants').where({ id: variant.id }).update({ stock: 2 });
      let cart = await call('/keranjang', { headers: { cookie } });
      expect(cart.text).to.include('Kopi Arabika Puntang 200g').and.include('Gilingan: Halus').and.include('Hanya tersisa 2.');
      const itemId = cart.text.match(/name="itemId" value="([0-9a-f-]{36})"/)![1];

      expect((await post('/keranjang', { action: 'update', itemId, quantity: '2' })).status).to.equal(303);
      cart = await call('/keranjang', { headers: { cookie } });
      expect(cart.text).not.to.include('Hanya tersisa');
      expect(cart.text).to.include('Rp 220.000');

      expect((await post('/keranjang', { action: 'remove', itemId })).status).to.equal(303);
      cart = await call('/keranjang', { headers: { cookie } });
      expect(cart.text).to.include('Keranjang Anda masih kosong.');
    });

    it('should change the name and language on the profile, and the password', async () => {
      const saved = await post('/akun', { action: 'profile', name: 'Ani W.', locale: 'en' });
      expect(saved.status).to.equal(303);
      expect(saved.headers.location).to.equal('/akun?lang=en');
      const user = await app.db.knex('users').where({ email: 'ani@pasar.test' }).first('name', 'locale');
      expect(user).to.deep.equal({ name: 'Ani W.', locale: 'en' });

      const wrong = await post('/akun', { action: 'password', currentPassword: 'bukan-ini-123', newPassword: 'sandi-baru-yang-panjang' });
      expect(wrong.status).to.equal(400);
      expect(wrong.text).to.match(/<p class="error"[^>]*>[^<{]+</);
      const changed = await post('/akun', { action: 'password', currentPassword: DEMO_PASSWORD, newPassword: 'sandi-baru-yang-panjang' });
      expect(changed.status).to.equal(303);
      const login = await app.request('POST', '/auth/login', { body: { email: 'ani@pasar.test', password: 'sandi-baru-yang-panjang' } });
      expect(login.status).to.equal(200);
    });
  });

  describe('checkout (without JavaScript)', () => {
    let cookie: string;
    let token: string;
    let variantId: string;
    const post = (form: Record<string, string>) => call('/checkout', { method: 'POST', headers: { origin: url, cookie }, form });
    const address = { recipient: 'Budi Santoso', phone: '081234567890', street: 'Jl. Braga 5', provinceCode: '32', cityCode: '32.73', postalCode: '40111', paymentMethod: 'ovo' };
    const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]+)"`))?.[1];

    before(async () => {
      const res = await call('/masuk', { method: 'POST', headers: { origin: url }, form: { email: 'budi@pasar.test', password: DEMO_PASSWORD, next: '/' }, from: '127.0.0.5' });
      cookie = `pasar_at=${res.cookies.pasar_at}; pasar_rt=${res.cookies.pasar_rt}`;
      token = res.cookies.pasar_at;
      const product = await app.db.knex('products').where({ title: 'Kopi Malabar Natural 500g' }).first('id');
      variantId = (await app.db.knex('productVariants').where({ productId: product.id }).orderBy('position').first('id')).id;
      await app.db.knex('productVariants').where({ id: variantId }).update({ stock: 40, price: 160000 });
      expect((await app.request('POST', '/cart/items', { token, body: { variantId, quantity: 2 } })).status).to.equal(200);
    });

    it('should price the address with the API quote, refuse a total that changed meanwhile and show the new one, and keep the cart on a declined payment', async () => {
      const quoted = await post({ action: 'refresh', ...address, idempotencyKey: '00000000-0000-4000-8000-000000000001' });
      expect(quoted.status).to.equal(200);
      // Bandung to Bandung: Rp 10.000 + Rp 1.000 for the second unit
      expect(quoted.text).to.include('Rp 11.000').and.include('Rp 331.000');
      expect(hidden(quoted.text, 'expectedTotal')).to.equal('331000');

      await app.db.knex('productVariants').where({ id: variantId }).update({ price: 165000 });
      const changed = await post({ ...address, expectedTotal: '331000', idempotencyKey: hidden(quoted.text, 'idempotencyKey')! });
      expect(changed.status).to.equal(409);
      expect(changed.text).to.include('Harga atau ongkos kirim berubah');
      expect(hidden(changed.text, 'expectedTotal')).to.equal('341000');
      expect(Number((await app.db.knex('orders').count('* as n').first())!.n)).to.equal(0);

      const declined = await post({ ...address, phone: '081234560402', expectedTotal: '341000', idempotencyKey: hidden(changed.text, 'idempotencyKey')! });
      expect(declined.status).to.equal(402);
      expect(declined.text).to.include('Pembayaran ditolak');
      const cart = await app.request('GET', '/cart', { token });
      expect(cart.body.itemCount).to.equal(2);
    });

    it('should place one checkout for a form sent twice at once (double click) and answer both with the same orders', async () => {
      const page = await call('/checkout', { headers: { cookie } });
      const form = { ...address, expectedTotal: '341000', idempotencyKey: hidden(page.text, 'idempotencyKey')! };
      const [a, b] = await Promise.all([post(form), post(form)]);
      expect(a.status).to.equal(303);
      expect(b.status).to.equal(303);
      expect(a.headers.location).to.match(/^\/checkout\/selesai\/[0-9a-f-]{36}$/).and.equal(b.headers.location);
      // (the declined payment before left its orders cancelled)
      const orders = await app.db.knex('orders').whereNot({ status: 'cancelled' }).select('id', 'total');
      expect(orders).to.have.length(1);
      expect(orders[0].total).to.equal(341000);
      const result = await call(a.headers.location!, { headers: { cookie } });
      expect(result.text).to.include(`href="/akun/pesanan/${orders[0].id}"`);
    });

    it('should show the BCA virtual account on the result and order pages, and pay it with "Simulasikan pembayaran" in embedded mode', async () => {
      expect((await app.request('POST', '/cart/items', { token, body: { variantId, quantity: 1 } })).status).to.equal(200);
      const page = await call('/checkout', { headers: { cookie } });
      const placed = await post({ ...address, paymentMethod: 'bca_va', idempotencyKey: hidden(page.text, 'idempotencyKey')! });
      expect(placed.status).to.equal(303);
      const checkoutId = placed.headers.location!.split('/').pop()!;
      const { body } = await app.request('GET', `/checkouts/${checkoutId}`, { token });
      const va = body.checkout.payment.virtualAccount as string;
      expect(va).to.match(/^[0-9]{8,20}$/);

      const result = await call(placed.headers.location!, { headers: { cookie } });
      expect(result.text).to.include(va).and.include('Menunggu pembayaran').and.include('Simulasikan pembayaran');
      const orderPage = await call(`/akun/pesanan/${body.orders[0].id}`, { headers: { cookie } });
      expect(orderPage.text).to.include(va).and.include('Simulasikan pembayaran');

      const paid = await call(placed.headers.location!, { method: 'POST', headers: { origin: url, cookie }, form: { action: 'simulate' } });
      expect(paid.status).to.equal(303);
      const after = await app.request('GET', `/orders/${body.orders[0].id}`, { token });
      expect(after.body.paymentStatus).to.equal('paid');
      const again = await call(placed.headers.location!, { headers: { cookie } });
      expect(again.text).to.include('Sudah dibayar').and.not.include('Simulasikan pembayaran');
    });
  });

  describe('CSRF', () => {
    it('should refuse a state-changing request from another site or without an Origin, and change nothing', async () => {
      const before = await app.db.knex('users').count('* as n').first();
      const form = { name: 'Penyusup', email: 'csrf@pasar.test', password: 'rahasia-sekali-123' };
      for (const headers of [{ origin: 'http://evil.test' }, {} as Record<string, string>, { origin: 'null' }]) {
        const res = await call('/daftar', { method: 'POST', headers, form });
        expect(res.status, JSON.stringify(headers)).to.equal(403);
      }
      expect(await app.db.knex('users').count('* as n').first()).to.deep.equal(before);
      const own = await call('/daftar', { method: 'POST', headers: { origin: url }, form });
      expect(own.status).to.equal(303);
      expect(await app.db.knex('users').where({ email: 'csrf@pasar.test' }).first()).to.not.equal(undefined);
    });
  });

  describe('when the API is down', () => {
    it('should answer the designed error page in words (never a stack), and a home page that says to try again', async () => {
      const dead = await startStorefront(`http://127.0.0.1:${await freePort()}`);
      try {
        const product = await fetch(`${dead.url}/produk/kopi-00000000-0000-4000-8000-000000000000`);
        expect(product.status).to.equal(500);
        const html = await product.text();
        expect(html).to.include('Terjadi kesalahan');
        expect(html).not.to.match(/ECONNREFUSED|at \S+ \(|Error:/);
        const home = await fetch(dead.url);
        expect(home.status).to.equal(503);
        expect(await home.text()).to.include('Coba muat ulang halaman');
      } finally {
        await dead.stop();
      }
    });
  });

  describe('SEO files', () => {
    it('should list categories, stores and products in sitemap.xml and point robots.txt at it', async () => {
      const sitemap = await call('/sitemap.xml');
      expect(sitemap.status).to.equal(200);
      expect(sitemap.headers['content-type']).to.include('application/xml');
      expect(sitemap.text).to.include(`<loc>${url}/</loc>`);
      expect(sitemap.text).to.include(`<loc>${url}/kategori/kopi</loc>`);
      expect(sitemap.text).to.include(`<loc>${url}/toko/kopi-priangan-asep</loc>`);
      expect(sitemap.text).to.match(/<loc>[^<]+\/produk\/kopi-arabika-gayo-250g-[0-9a-f-]{36}<\/loc>/);
      const robots = await call('/robots.txt');
      expect(robots.text).to.include(`Sitemap: ${url}/sitemap.xml`);
      expect(robots.text).to.include('Disallow: /checkout');
    });
  });
});

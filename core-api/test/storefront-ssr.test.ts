import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
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
    app = await startTestApp({ TRUSTED_PROXIES: 'loopback', LOGIN_LIMIT_PER_IP: '3' });
    await seedDemo({ knex: app.db.knex, storage: app.platform.storage });
    storefront = await startStorefront(app.url);
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

    it('should answer a designed 404 for a product, category or page that does not exist', async () => {
      for (const path of ['/produk/tidak-ada-00000000-0000-4000-8000-000000000000', '/kategori/tidak-ada', '/toko/tidak-ada', '/halaman-lain']) {
        const res = await call(path);
        expect(res.status, path).to.equal(404);
        expect(res.text, path).to.include('Halaman tidak ditemukan');
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

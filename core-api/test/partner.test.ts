import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, uniqueEmail } from './support/fixtures.ts';

const root = new URL('../../', import.meta.url);

describe('a partner-ready API', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ CORS_ORIGINS: 'https://toko-mitra.example, https://shop.partner.example/' });
  });
  after(async () => {
    await app?.close();
  });

  describe('CORS', () => {
    it('should let exactly the listed partner origins call with credentials, and see the headers they need', async () => {
      const preflight = await fetch(`${app.url}/checkout/quote`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.partner.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal('https://shop.partner.example');
      expect(preflight.headers.get('access-control-allow-credentials')).to.equal('true');
      expect(preflight.headers.get('access-control-allow-methods')).to.include('POST');

      const res = await fetch(`${app.url}/regions`, { headers: { origin: 'https://toko-mitra.example' } });
      expect(res.headers.get('access-control-allow-origin')).to.equal('https://toko-mitra.example');
      expect(res.headers.get('vary')).to.match(/origin/i);
      const exposed = res.headers.get('access-control-expose-headers')!.split(',').map((h) => h.trim().toLowerCase());
      expect(exposed).to.include.members(['x-request-id', 'etag', 'retry-after', 'content-language']);

      for (const origin of ['https://toko-mitra.example.evil.io', 'http://toko-mitra.example', 'https://evil.example', 'null']) {
        const refused = await fetch(`${app.url}/regions`, { headers: { origin } });
        expect(refused.headers.get('access-control-allow-origin'), origin).to.equal(null);
      }
    });

    it('should have npm start add the first-party front ends, on localhost and 127.0.0.1, to CORS_ORIGINS', () => {
      const script: string = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
      const assignment = script.match(/CORS_ORIGINS=(\S+)/)![1];
      const expand = (env: Record<string, string>) =>
        execFileSync('sh', ['-c', `printf %s "${assignment.replace(/"/g, '\\"')}"`], { env: { PATH: process.env.PATH!, ...env } }).toString().split(',');
      expect(expand({})).to.have.members(['http://localhost:4321', 'http://127.0.0.1:4321', 'http://localhost:5173', 'http://127.0.0.1:5173']);
      expect(expand({ CORS_ORIGINS: 'https://toko-mitra.example', STOREFRONT_PORT: '4400' })).to.have.members([
        'https://toko-mitra.example', 'http://localhost:4400', 'http://127.0.0.1:4400', 'http://localhost:5173', 'http://127.0.0.1:5173',
      ]);
    });
  });

  describe('languages', () => {
    const raw = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { headers });

    it('should answer in Accept-Language\'s best of Indonesian and English, else Indonesian, and say so on every response', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'id'], [{ 'accept-language': 'en-US,en;q=0.9' }, 'en'], [{ 'accept-language': 'fr-FR' }, 'id'],
        [{ 'accept-language': 'en;q=0.5, id;q=0.8' }, 'id'], [{ 'accept-language': 'id-ID' }, 'id'],
      ];
      for (const [headers, locale] of cases) {
        for (const path of ['/regions', '/products/tidak-ada', '/openapi.json', '/health', '/nowhere']) {
          const res = await raw(path, headers);
          expect(res.headers.get('content-language'), `${path} ${JSON.stringify(headers)}`).to.equal(locale);
        }
      }
      const missing = await (await raw('/products/tidak-ada', { 'accept-language': 'en' })).json();
      expect(missing).to.include({ title: 'Not found', detail: 'No such product.' });
      const hilang = await (await raw('/products/tidak-ada')).json();
      expect(hilang).to.include({ title: 'Tidak ditemukan', detail: 'Produk tidak ditemukan.' });
      expect((await raw('/regions')).headers.get('vary')).to.match(/accept-language/i);
    });

    it('should prefer the language a signed-in user chose over the browser\'s', async () => {
      const chosen = await app.request('POST', '/auth/register', {
        headers: { 'accept-language': 'id' },
        body: { email: uniqueEmail('en'), password: 'rahasia-sekali-123', name: 'Jane', role: 'customer', locale: 'en' },
      });
      const missing = await app.request('DELETE', '/me/addresses/00000000-0000-4000-8000-000000000000', { token: chosen.body.accessToken, headers: { 'accept-language': 'id' } });
      expect(missing.headers.get('content-language')).to.equal('en');
      expect(missing.body.detail).to.equal('No such address.');

      const browser = await app.request('POST', '/auth/register', {
        headers: { 'accept-language': 'en-GB' },
        body: { email: uniqueEmail('browser'), password: 'rahasia-sekali-123', name: 'Sam', role: 'customer' },
      });
      const indo = await app.request('DELETE', '/me/addresses/00000000-0000-4000-8000-000000000000', { token: browser.body.accessToken, headers: { 'accept-language': 'id' } });
      expect(indo.headers.get('content-language'), 'no chosen language: the browser decides').to.equal('id');
      expect(indo.body.detail).to.equal('Alamat tidak ditemukan.');
    });

    it('should write facet and category names, payment instructions and order notes in the caller\'s language', async () => {
      const cats = await categories(app);
      const seller = await signUpSeller(app, 'Toko Bahasa');
      const product = await createProduct(app, seller, { title: 'Kopi Bahasa', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 50000, stock: 10 }] });
      const facet = async (lang: string) => (await app.request('GET', `/products?storeId=${seller.storeId}`, { headers: { 'accept-language': lang } })).body.facets.categories[0].name;
      expect(await facet('en')).to.equal('Coffee');
      expect(await facet('id')).to.equal('Kopi');

      const buyer = await signUpCustomer(app);
      const pay = async (lang: string) => {
        await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: product.variants[0].id, quantity: 1 } });
        const res = await app.request('POST', '/checkout', {
          token: buyer.token,
          headers: { 'idempotency-key': randomUUID(), 'accept-language': lang },
          body: { shippingAddress: { recipient: 'Budi', phone: '081234567890', street: 'Jl. Mawar 1', cityCode: '34.71', postalCode: '55213' }, paymentMethod: 'cod' },
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body;
      };
      expect((await pay('en')).checkout.payment.instructions).to.match(/^Have Rp [\d.]+ ready to pay the courier in cash\.$/);
      const paid = await pay('id');
      expect(paid.checkout.payment.instructions).to.match(/^Siapkan Rp [\d.]+ untuk dibayar tunai kepada kurir\.$/);
      const cancelled = await app.request('POST', `/orders/${paid.orders[0].id}/cancel`, { token: buyer.token, headers: { 'accept-language': 'en' } });
      expect(cancelled.body.history.at(-1)).to.include({ to: 'cancelled', note: 'Cancelled by the shopper' });
    });
  });
});

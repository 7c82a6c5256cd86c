import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { createKnex } from '../src/platform/db/knex.ts';
import { RegionsService } from '../src/modules/regions/service.ts';
import { categories, createProduct, signUpCustomer, uniqueEmail, type Session } from './support/fixtures.ts';

const registerSeller = (app: TestApp, store: Record<string, unknown>) =>
  app.request('POST', '/auth/register', { body: { email: uniqueEmail('seller'), password: 'rahasia-sekali-123', name: 'Penjual', role: 'seller', store: { name: 'Toko Wilayah', ...store } } });

const home = { recipient: 'Budi Santoso', phone: '081234567890', street: 'Jl. Malioboro 12', postalCode: '55213' };

describe('regions, addresses and shipping quotes', () => {
  let app: TestApp;
  let jogja: Session;
  let medan: Session;
  let shirt: { id: string; variants: Array<{ id: string }> };
  let coffee: { id: string; variants: Array<{ id: string }> };

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    const seller = async (cityCode: string, name: string) => {
      const res = await registerSeller(app, { cityCode, name });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return { token: res.body.accessToken, userId: res.body.user.id, storeId: res.body.store.id };
    };
    jogja = await seller('34.71', 'Batik Jogja');
    medan = await seller('12.71', 'Kopi Medan');
    shirt = await createProduct(app, jogja, { title: 'Kemeja Lurik', categoryId: cats.kemeja, status: 'active', variants: [{ options: {}, price: 150000, stock: 20 }] });
    coffee = await createProduct(app, medan, { title: 'Kopi Mandailing', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 80000, stock: 20 }] });
  });
  after(async () => {
    await app?.close();
  });

  describe('the regions table', () => {
    it('should place a city from inside a transaction that holds the last pool connection', async function () {
      this.timeout(10_000);
      // one connection: a lazy first read inside the transaction would wait for it forever
      const knex = createKnex(app.db.url, { max: 1 });
      try {
        const regions = new RegionsService(knex);
        const place = await knex.transaction(() => regions.place('34.71', '/cityCode'));
        expect(place.cityCode).to.equal('34.71');
      } finally {
        await knex.destroy();
      }
    });
  });

  describe('GET /regions', () => {
    it('should list the 38 provinces by code and answer a conditional request with 304', async () => {
      const res = await app.request('GET', '/regions');
      expect(res.status).to.equal(200);
      expect(res.body.items).to.have.length(38);
      expect(res.body.items).to.deep.include({ code: '34', name: 'Daerah Istimewa Yogyakarta', level: 'province' });
      const again = await app.request('GET', '/regions', { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).to.equal(304);
    });
  });

  describe('GET /regions/{code}', () => {
    it('should answer a province with its cities and regencies, and a city with its province', async () => {
      const province = await app.request('GET', '/regions/34');
      expect(province.status).to.equal(200);
      expect(province.body).to.include({ code: '34', level: 'province', capitalCode: '34.71' });
      expect(province.body.children.map((c: { code: string }) => c.code)).to.deep.equal(['34.01', '34.02', '34.03', '34.04', '34.71']);
      const city = await app.request('GET', '/regions/34.04');
      expect(city.body).to.deep.include({ code: '34.04', name: 'Kabupaten Sleman', level: 'city', children: [] });
      expect(city.body.parent).to.deep.equal({ code: '34', name: 'Daerah Istimewa Yogyakarta', level: 'province' });
    });

    it('should answer 404 for a well-formed unknown code and 400 for a malformed one', async () => {
      expect((await app.request('GET', '/regions/99')).status).to.equal(404);
      const bad = await app.request('GET', '/regions/3471');
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0].parameter).to.equal('code');
    });
  });

  describe('stores on region codes', () => {
    it('should keep a store on its city code with the names beside it', async () => {
      const res = await registerSeller(app, { cityCode: '35.78' });
      expect(res.status).to.equal(201);
      expect(res.body.store).to.include({ cityCode: '35.78', location: 'Kota Surabaya', provinceCode: '35', province: 'Jawa Timur' });
      const page = await app.request('GET', `/stores/${res.body.store.slug}`);
      expect(page.body).to.include({ cityCode: '35.78', location: 'Kota Surabaya', provinceCode: '35' });
    });

    it('should still take a city name that matches one region, a province standing for its capital', async () => {
      const cases: Array<[string, string]> = [['yogyakarta', '34.71'], ['Kota Yogyakarta', '34.71'], ['Sleman', '34.04'], ['Kabupaten Bandung', '32.04'], ['Bandung', '32.73'], ['DKI Jakarta', '31.71'], ['Jakarta', '31.71']];
      for (const [location, code] of cases) {
        const res = await registerSeller(app, { location });
        expect(res.status, location).to.equal(201);
        expect(res.body.store.cityCode, location).to.equal(code);
      }
    });

    it('should refuse an unknown name with candidates, an unknown code with 422 and a malformed one with 400', async () => {
      const unknown = await registerSeller(app, { location: 'Jogjakarta' });
      expect(unknown.status).to.equal(422);
      expect(unknown.body.errors[0].pointer).to.equal('/store/location');
      expect(unknown.body.candidates.map((c: { code: string }) => c.code)).to.include('34.71');
      expect((await registerSeller(app, { location: 'Atlantis' })).status).to.equal(422);
      const code = await registerSeller(app, { cityCode: '34.99' });
      expect(code.status).to.equal(422);
      expect(code.body.errors[0].pointer).to.equal('/store/cityCode');
      expect((await registerSeller(app, { cityCode: '3471' })).status).to.equal(400);
      expect((await registerSeller(app, {})).status).to.equal(400);
    });

    it('should move a store to another city by code', async () => {
      const res = await app.request('PATCH', '/me', { token: jogja.token, body: { store: { cityCode: '34.04' } } });
      expect(res.body.store).to.include({ cityCode: '34.04', location: 'Kabupaten Sleman' });
      await app.request('PATCH', '/me', { token: jogja.token, body: { store: { cityCode: '34.71' } } });
    });
  });

  describe('/me/addresses', () => {
    const save = (buyer: Session, body: Record<string, unknown>) => app.request('POST', '/me/addresses', { token: buyer.token, body: { ...home, cityCode: '34.71', ...body } });
    const list = async (buyer: Session) => (await app.request('GET', '/me/addresses', { token: buyer.token })).body.items as Array<{ id: string; isDefault: boolean; label: string }>;

    it('should keep exactly one default: the first saved, moved by isDefault, passed on when deleted', async () => {
      const buyer = await signUpCustomer(app);
      const first = await save(buyer, { label: 'Rumah' });
      expect(first.status).to.equal(201);
      expect(first.body).to.include({ isDefault: true, cityCode: '34.71', city: 'Kota Yogyakarta', provinceCode: '34', province: 'Daerah Istimewa Yogyakarta' });
      const second = await save(buyer, { label: 'Kantor' });
      expect(second.body.isDefault).to.equal(false);
      const third = await save(buyer, { label: 'Kos', isDefault: true });
      expect(third.body.isDefault).to.equal(true);
      expect((await list(buyer)).map((a) => [a.label, a.isDefault])).to.deep.equal([['Kos', true], ['Kantor', false], ['Rumah', false]]);

      const moved = await app.request('PATCH', `/me/addresses/${first.body.id}`, { token: buyer.token, body: { isDefault: true, street: 'Jl. Kaliurang 5' } });
      expect(moved.body).to.include({ isDefault: true, street: 'Jl. Kaliurang 5' });
      const refused = await app.request('PATCH', `/me/addresses/${first.body.id}`, { token: buyer.token, body: { isDefault: false } });
      expect(refused.status).to.equal(422);
      expect(refused.body.errors[0].pointer).to.equal('/isDefault');

      expect((await app.request('DELETE', `/me/addresses/${first.body.id}`, { token: buyer.token })).status).to.equal(204);
      const left = await list(buyer);
      expect(left.map((a) => [a.label, a.isDefault])).to.deep.equal([['Kos', true], ['Kantor', false]]);
    });

    it('should keep one default when addresses are saved concurrently', async () => {
      const buyer = await signUpCustomer(app);
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => save(buyer, { label: `A${i}`, isDefault: i % 2 === 0 })));
      expect(answers.map((a) => a.status)).to.deep.equal([201, 201, 201, 201, 201, 201]);
      expect((await list(buyer)).filter((a) => a.isDefault)).to.have.length(1);
    });

    it('should validate every field and the region codes, and hide other shoppers\' addresses', async () => {
      const buyer = await signUpCustomer(app);
      const bad = await app.request('POST', '/me/addresses', { token: buyer.token, body: { recipient: '', phone: '0812-3456-7890', street: 'Jl', cityCode: 'Yogya', postalCode: '5521' } });
      expect(bad.status).to.equal(400);
      expect([...new Set(bad.body.errors.map((e: { pointer: string }) => e.pointer))].sort()).to.deep.equal(['/cityCode', '/phone', '/postalCode', '/recipient', '/street']);
      const unknown = await save(buyer, { cityCode: '34.99' });
      expect(unknown.status).to.equal(422);
      expect(unknown.body.errors[0].pointer).to.equal('/cityCode');
      const elsewhere = await save(buyer, { cityCode: '34.71', provinceCode: '35' });
      expect(elsewhere.status).to.equal(422);
      expect(elsewhere.body.errors[0].pointer).to.equal('/cityCode');
      expect(await list(buyer)).to.deep.equal([]);

      const mine = await save(buyer, {});
      const other = await signUpCustomer(app);
      expect((await app.request('PATCH', `/me/addresses/${mine.body.id}`, { token: other.token, body: { label: 'x' } })).status).to.equal(404);
      expect((await app.request('DELETE', `/me/addresses/${mine.body.id}`, { token: other.token })).status).to.equal(404);
      expect((await app.request('GET', '/me/addresses', { token: jogja.token })).status).to.equal(403);
    });
  });

  describe('POST /checkout/quote', () => {
    const quote = (buyer: Session, body: Record<string, unknown>) => app.request('POST', '/checkout/quote', { token: buyer.token, body });
    const fill = async (buyer: Session) => {
      await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: shirt.variants[0].id, quantity: 2 } });
      await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: coffee.variants[0].id, quantity: 1 } });
    };

    it('should price each store by region: same city, same province or island, elsewhere', async () => {
      const buyer = await signUpCustomer(app);
      await fill(buyer);
      const cost = async (cityCode: string) => {
        const res = await quote(buyer, { shippingAddress: { ...home, cityCode } });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        return res.body.stores.map((s: { store: { id: string }; shippingCost: number }) => [s.store.id, s.shippingCost]);
      };
      // Kota Yogyakarta: same city as the batik store (2 units), another island than Medan
      expect(await cost('34.71')).to.deep.equal([[jogja.storeId, 11000], [medan.storeId, 35000]]);
      // Sleman: same province; Surabaya: same island (Jawa); Deli Serdang: Medan's province
      expect(await cost('34.04')).to.deep.equal([[jogja.storeId, 19000], [medan.storeId, 35000]]);
      expect(await cost('35.78')).to.deep.equal([[jogja.storeId, 19000], [medan.storeId, 35000]]);
      expect(await cost('12.07')).to.deep.equal([[jogja.storeId, 36000], [medan.storeId, 18000]]);
    });

    it('should quote the total that checkout then charges, for the cart or given lines, taking nothing', async () => {
      const buyer = await signUpCustomer(app);
      await fill(buyer);
      const res = await quote(buyer, { shippingAddress: { ...home, cityCode: '34.04' } });
      expect(res.body).to.include({ subtotal: 380000, shippingTotal: 54000, total: 434000, expectedTotal: 434000 });
      expect(res.body.stores[0]).to.deep.include({ units: 2, subtotal: 300000, total: 319000, from: { code: '34.71', name: 'Kota Yogyakarta', level: 'city' } });
      expect(res.body.stores[0].delivery.minDays).to.be.at.most(res.body.stores[0].delivery.maxDays);
      expect(res.body.shippingAddress).to.include({ cityCode: '34.04', city: 'Kabupaten Sleman', provinceCode: '34' });

      const lines = await quote(buyer, { shippingAddress: { ...home, cityCode: '34.04' }, lines: [{ variantId: shirt.variants[0].id, quantity: 2 }, { variantId: coffee.variants[0].id, quantity: 1 }] });
      expect(lines.body.expectedTotal).to.equal(434000);
      expect((await app.db.knex('productVariants').where({ id: shirt.variants[0].id }).first()).stock).to.equal(20);

      const paid = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { shippingAddress: { ...home, cityCode: '34.04' }, paymentMethod: 'cod', expectedTotal: res.body.expectedTotal } });
      expect(paid.status, JSON.stringify(paid.body)).to.equal(201);
      expect(paid.body.checkout.total).to.equal(res.body.expectedTotal);
      expect(paid.body.orders.map((o: { shippingCost: number }) => o.shippingCost)).to.deep.equal([19000, 35000]);
      expect(paid.body.orders[0].shippingAddress).to.include({ cityCode: '34.04', city: 'Kabupaten Sleman', province: 'Daerah Istimewa Yogyakarta' });
    });

    it('should price a city name the way its region is priced, and refuse a name it cannot place', async () => {
      const buyer = await signUpCustomer(app);
      const line = [{ variantId: shirt.variants[0].id, quantity: 1 }];
      const byName = async (city: string) => quote(buyer, { shippingAddress: { ...home, city }, lines: line });
      expect((await byName('Yogyakarta')).body.shippingTotal).to.equal(10000);
      expect((await byName('Kota Yogyakarta')).body.shippingTotal).to.equal(10000);
      expect((await byName('Sleman')).body.shippingTotal).to.equal(18000);
      for (const city of ['Jogja', 'Atlantis']) {
        const res = await byName(city);
        expect(res.status, city).to.equal(422);
        expect(res.body.errors[0].pointer).to.equal('/shippingAddress/city');
        expect(res.body.candidates).to.be.an('array');
      }
      const unknown = await quote(buyer, { shippingAddress: { ...home, cityCode: '34.99' }, lines: line });
      expect(unknown.status).to.equal(422);
      expect(unknown.body.errors[0].pointer).to.equal('/shippingAddress/cityCode');
      const outside = await quote(buyer, { shippingAddress: { ...home, cityCode: '34.71', provinceCode: '31' }, lines: line });
      expect(outside.status).to.equal(422);
      expect((await quote(buyer, { shippingAddress: { ...home, cityCode: '34.71' }, lines: [{ variantId: randomUUID(), quantity: 1 }] })).status).to.equal(422);
      expect((await quote(buyer, { lines: line })).status).to.equal(400);
    });

    it('should ship a checkout to a saved address, or save the inline one when asked', async () => {
      const buyer = await signUpCustomer(app);
      const saved = await app.request('POST', '/me/addresses', { token: buyer.token, body: { ...home, cityCode: '12.71' } });
      await fill(buyer);
      const quoted = await quote(buyer, { addressId: saved.body.id });
      expect(quoted.body.stores.map((s: { shippingCost: number }) => s.shippingCost)).to.deep.equal([36000, 10000]);
      const other = await signUpCustomer(app);
      expect((await quote(other, { addressId: saved.body.id, lines: [{ variantId: shirt.variants[0].id, quantity: 1 }] })).status).to.equal(422);

      const paid = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { addressId: saved.body.id, paymentMethod: 'cod', expectedTotal: quoted.body.expectedTotal } });
      expect(paid.status, JSON.stringify(paid.body)).to.equal(201);
      expect(paid.body.checkout.total).to.equal(quoted.body.expectedTotal);

      await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId: shirt.variants[0].id, quantity: 1 } });
      const inline = await app.request('POST', '/checkout', {
        token: buyer.token, headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: { ...home, city: 'Sleman', province: 'DIY' }, saveAddress: true, paymentMethod: 'cod' },
      });
      expect(inline.status, JSON.stringify(inline.body)).to.equal(201);
      const addresses = (await app.request('GET', '/me/addresses', { token: buyer.token })).body.items;
      expect(addresses.map((a: { cityCode: string }) => a.cityCode).sort()).to.deep.equal(['12.71', '34.04']);
    });
  });
});

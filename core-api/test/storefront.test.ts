import { expect } from 'chai';
import { seedDemo } from '../../seeds/demo.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/** Counts the SQL statements the app sends while `work` runs. */
async function countQueries(app: TestApp, work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = () => void count++;
  app.platform.db.on('query', listener);
  try {
    await work();
  } finally {
    app.platform.db.removeListener('query', listener);
  }
  return count;
}

describe('public catalog', () => {
  let app: TestApp;

  before(async function () {
    this.timeout(120_000);
    app = await startTestApp({ S3_PUBLIC_URL: 'https://cdn.pasar.test/pasar' });
    await seedDemo({ knex: app.db.knex, storage: app.platform.storage });
    await app.db.knex('products').where({ title: 'Dompet Batik Lipat' }).update({ status: 'draft' });
  });
  after(async () => {
    await app?.close();
  });

  describe('GET /products', () => {
    it('should answer product cards with store, rating, stock and a thumbnail on the public URL, plus facets', async () => {
      const res = await app.request('GET', '/products?q=kopi&pageSize=5');
      expect(res.status).to.equal(200);
      expect(res.body.items).to.have.length(5);
      expect(res.body.total).to.be.above(5);
      const card = res.body.items[0];
      expect(card.thumbnailUrl).to.match(/^https:\/\/cdn\.pasar\.test\/pasar\/media\/[a-f0-9]{64}\.jpg$/);
      expect(card.store).to.have.keys('id', 'name', 'slug', 'location', 'cityCode');
      expect(card.rating).to.deep.equal({ average: 0, count: 0 });
      expect(res.body.facets.stores.length).to.be.above(0);
      expect(res.headers.get('cache-control')).to.equal('public, max-age=60');
    });

    it('should answer a repeated request with 304 when nothing changed, and 200 when something did', async () => {
      const first = await app.request('GET', '/products?sort=newest&pageSize=3');
      const etag = first.headers.get('etag')!;
      expect(etag).to.be.a('string');
      const again = await app.request('GET', '/products?sort=newest&pageSize=3', { headers: { 'if-none-match': etag } });
      expect(again.status).to.equal(304);
      expect(again.body).to.equal('');
      await app.db.knex('products').where({ id: first.body.items[0].id }).update({ title: 'Judul Baru Sekali' });
      const changed = await app.request('GET', '/products?sort=newest&pageSize=3', { headers: { 'if-none-match': etag } });
      expect(changed.status).to.equal(200);
    });

    it('should keep pageSize within 1..100 and page at least 1, and refuse bad filters', async () => {
      for (const bad of ['pageSize=101', 'pageSize=0', 'page=0', 'minPrice=-1', 'categoryId=x', 'sort=cheapest', 'inStock=maybe']) {
        const res = await app.request('GET', `/products?${bad}`);
        expect(res.status, bad).to.equal(400);
        expect(res.body.errors[0].parameter, bad).to.equal(bad.split('=')[0]);
      }
      expect((await app.request('GET', '/products?pageSize=100')).status).to.equal(200);
    });

    it('should run a bounded number of SQL statements, whatever the page size (no N+1)', async () => {
      // the first request for a filter also counts its facets; later pages reuse them
      const cold = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=2'));
      const small = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=2&page=2'));
      const large = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=40'));
      const search = await countQueries(app, () => app.request('GET', '/products?q=batik&pageSize=40&inStock=true'));
      expect(cold).to.equal(3);
      expect(large).to.equal(small);
      expect(search).to.equal(cold);
      expect(large).to.equal(2);
    });

    it('should filter by category (with descendants) through HTTP', async () => {
      const fesyen = await app.db.knex('categories').where({ slug: 'fesyen' }).first('id');
      const batik = await app.db.knex('categories').where({ slug: 'batik' }).first('id');
      const parent = await app.request('GET', `/products?categoryId=${fesyen.id}&pageSize=100`);
      const child = await app.request('GET', `/products?categoryId=${batik.id}&pageSize=100`);
      expect(child.body.total).to.be.above(0);
      expect(parent.body.total).to.be.above(child.body.total);
      const parentIds = parent.body.items.map((p: { id: string }) => p.id);
      for (const p of child.body.items) expect(parentIds).to.include(p.id);
    });
  });

  describe('GET /products/{id}', () => {
    it('should answer the full product: variants, photos, specifications, store, rating', async () => {
      const product = await app.db.knex('products').where({ title: 'Kemeja Batik Parang Lengan Panjang' }).first();
      const res = await app.request('GET', `/products/${product.id}`);
      expect(res.status).to.equal(200);
      expect(res.body.variants).to.have.length(4);
      expect(res.body.variants.map((v: { options: { Ukuran: string } }) => v.options.Ukuran)).to.deep.equal(['S', 'M', 'L', 'XL']);
      expect(res.body.images).to.have.length(2);
      expect(res.body.specifications).to.deep.include({ label: 'Bahan', value: 'Katun primisima' });
      expect(res.body.category.slug).to.equal('batik');
      expect(res.body.store).to.include({ location: 'Kota Yogyakarta', cityCode: '34.71' });
      const cached = await app.request('GET', `/products/${product.id}`, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(cached.status).to.equal(304);
    });

    it('should answer 404 for a draft and an unknown product, 400 for a malformed id', async () => {
      const draft = await app.db.knex('products').where({ title: 'Dompet Batik Lipat' }).first();
      expect((await app.request('GET', `/products/${draft.id}`)).status).to.equal(404);
      expect((await app.request('GET', '/products/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
      expect((await app.request('GET', '/products/123')).status).to.equal(400);
    });
  });

  describe('GET /stores/{slug}', () => {
    it('should answer the public store page', async () => {
      const res = await app.request('GET', '/stores/kopi-priangan-asep');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: 'Kopi Priangan Asep', location: 'Kota Bandung', cityCode: '32.73', province: 'Jawa Barat', productCount: 14 });
      expect(res.body.rating).to.deep.equal({ average: 0, count: 0 });
      expect((await app.request('GET', '/stores/tidak-ada')).status).to.equal(404);
    });
  });

  describe('GET /categories', () => {
    it('should list parents before children and answer 304 to a repeat', async () => {
      const res = await app.request('GET', '/categories');
      const seen = new Set<string>();
      for (const c of res.body.items) {
        if (c.parentId) expect(seen.has(c.parentId), c.slug).to.equal(true);
        seen.add(c.id);
      }
      const again = await app.request('GET', '/categories', { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).to.equal(304);
    });
  });
});

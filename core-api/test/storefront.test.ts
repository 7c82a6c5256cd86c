import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { seedDemo } from '../../seeds/demo.ts';
import { startTestApp, type ApiResponse, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller } from './support/fixtures.ts';

/** Counts the SQL statements the app sends while `work` runs. */
async function countQueries(app: TestApp, work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  // the view counters' periodic flush runs on its own clock and may land inside the window
  const listener = (query: { sql: string }) => void (/product_daily_(stats|visitors)/.test(query.sql) || count++);
  app.platform.db.on('query', listener);
  try {
    await work();
  } finally {
    app.platform.db.removeListener('query', listener);
  }
  return count;
}

/**
 * Repeats a request until `done` holds (at most 3 s): a change written straight into the database
 * reaches the catalog answer cache a moment later, as a Postgres notification.
 */
async function eventually(request: () => Promise<ApiResponse>, done: (res: ApiResponse) => boolean): Promise<ApiResponse> {
  const started = Date.now();
  for (;;) {
    const res = await request();
    if (done(res) || Date.now() - started > 3000) return res;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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

    it('should name every facet: categories in Indonesian, stores by their name', async () => {
      const res = await app.request('GET', '/products?q=kopi', { headers: { 'accept-language': 'id' } });
      const kopi = await app.db.knex('categories').where({ slug: 'kopi' }).first();
      expect(res.body.facets.categories).to.deep.include({ id: kopi.id, name: kopi.nameId, count: res.body.facets.categories.find((f: { id: string }) => f.id === kopi.id).count });
      const store = await app.db.knex('stores').where({ slug: 'kopi-priangan-asep' }).first();
      expect(res.body.facets.stores.find((f: { id: string }) => f.id === store.id)).to.include({ name: 'Kopi Priangan Asep' });
      for (const facet of [...res.body.facets.categories, ...res.body.facets.stores]) expect(facet.name).to.be.a('string').and.not.equal('');
    });

    it('should answer a repeated request with 304 when nothing changed, and 200 when something did', async () => {
      const first = await app.request('GET', '/products?sort=newest&pageSize=3');
      const etag = first.headers.get('etag')!;
      expect(etag).to.be.a('string');
      const again = await app.request('GET', '/products?sort=newest&pageSize=3', { headers: { 'if-none-match': etag } });
      expect(again.status).to.equal(304);
      expect(again.body).to.equal('');
      await app.db.knex('products').where({ id: first.body.items[0].id }).update({ title: 'Judul Baru Sekali' });
      const changed = await eventually(() => app.request('GET', '/products?sort=newest&pageSize=3', { headers: { 'if-none-match': etag } }), (r) => r.status !== 304);
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
      // the first request for a filter also expands its words, ranks its matches, counts its facets and names those not seen lately;
      // later pages reuse them all: their only statement reads the page's cards
      const cold = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=2'));
      const small = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=2&page=2'));
      const large = await countQueries(app, () => app.request('GET', '/products?q=tas&pageSize=40'));
      const search = await countQueries(app, () => app.request('GET', '/products?q=batik&pageSize=40&inStock=true'));
      expect(cold).to.be.within(4, 5);
      expect(large).to.equal(small);
      expect(search).to.be.within(4, 5);
      expect(large).to.equal(1);
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
      expect((await app.request('GET', '/products/Bad_Id')).status).to.equal(400);
    });

    it('should answer a product by its slug, asking for the store when two stores share the slug', async () => {
      const product = await app.db.knex('products').where({ title: 'Kemeja Batik Parang Lengan Panjang' }).first();
      const bySlug = await app.request('GET', `/products/${product.slug}`);
      expect(bySlug.status).to.equal(200);
      expect(bySlug.body.id).to.equal(product.id);
      const other = await app.db.knex('stores').whereNot({ id: product.storeId }).first();
      const { id: _id, ...copy } = product;
      await app.db.knex('products').insert({ ...copy, storeId: other.id, specifications: JSON.stringify(copy.specifications), options: JSON.stringify(copy.options) });
      try {
        const shared = await eventually(() => app.request('GET', `/products/${product.slug}`), (r) => r.status !== 200);
        expect(shared.status).to.equal(409);
        expect(shared.body.errors[0].parameter).to.equal('store');
        const mine = await app.db.knex('stores').where({ id: product.storeId }).first();
        expect((await app.request('GET', `/products/${product.slug}?store=${mine.slug}`)).body.id).to.equal(product.id);
        expect((await app.request('GET', `/products/${product.slug}?store=${mine.id}`)).body.id).to.equal(product.id);
      } finally {
        await app.db.knex('products').where({ storeId: other.id, slug: product.slug }).delete();
      }
      expect((await app.request('GET', '/products/tidak-ada-produk-ini')).status).to.equal(404);
    });

    it('should list each variant\'s option values in the order of the product\'s options', async () => {
      const products = await app.db.knex('products').where({ status: 'active' }).whereRaw('jsonb_array_length(options) > 1').select('id', 'options');
      let reordered = 0;
      for (const p of products) {
        const names = p.options.map((o: { name: string }) => o.name);
        const stored = await app.db.knex('productVariants').where({ productId: p.id }).first('options');
        if (Object.keys(stored.options).join() !== names.join()) reordered++;
        const res = await app.request('GET', `/products/${p.id}`);
        for (const v of res.body.variants) expect(Object.keys(v.options)).to.deep.equal(names);
      }
      expect(reordered, 'the demo has products whose stored keys are in another order').to.be.above(0);
    });
  });

  describe('GET /stores', () => {
    it('should search stores by name and region, paginated, in a bounded number of queries', async () => {
      const all = await app.request('GET', '/stores?pageSize=2');
      expect(all.status).to.equal(200);
      expect(all.body).to.include({ total: 3, page: 1, pageSize: 2 });
      expect(all.body.items.map((s: { name: string }) => s.name)).to.deep.equal(['Batik Sekar Jagad', 'Kopi Priangan Asep']);
      expect((await app.request('GET', '/stores?pageSize=2&page=2')).body.items.map((s: { name: string }) => s.name)).to.deep.equal(['Kriya Rotan Nusantara']);
      expect((await app.request('GET', '/stores?q=PRIANGAN')).body.items.map((s: { slug: string }) => s.slug)).to.deep.equal(['kopi-priangan-asep']);
      expect((await app.request('GET', '/stores?q=%25')).body.total).to.equal(0);
      expect((await app.request('GET', '/stores?provinceCode=35')).body.items.map((s: { cityCode: string }) => s.cityCode)).to.deep.equal(['35.78']);
      const batik = await app.db.knex('stores').where({ slug: 'batik-sekar-jagad' }).first('id');
      const active = await app.db.knex('products').where({ storeId: batik.id, status: 'active' }).count({ n: '*' }).first();
      expect((await app.request('GET', '/stores?cityCode=34.71')).body.items[0]).to.include({ slug: 'batik-sekar-jagad', productCount: Number(active!.n) });
      expect((await app.request('GET', '/stores?cityCode=3471')).status).to.equal(400);
      const queries = await countQueries(app, () => app.request('GET', '/stores?pageSize=100'));
      expect(queries).to.be.at.most(2);
    });
  });

  describe('GET /stores/{idOrSlug}', () => {
    it('should answer the public store page, by slug or id', async () => {
      const res = await app.request('GET', '/stores/kopi-priangan-asep');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: 'Kopi Priangan Asep', location: 'Kota Bandung', cityCode: '32.73', province: 'Jawa Barat', productCount: 14 });
      expect(res.body.rating).to.deep.equal({ average: 0, count: 0 });
      expect((await app.request('GET', '/stores/tidak-ada')).status).to.equal(404);
      expect((await app.request('GET', `/stores/${res.body.id}`)).body.slug).to.equal('kopi-priangan-asep');
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

  describe('the public catalog cache', () => {
    const titleOf = async (id: string) => (await app.request('GET', `/products/${id}`)).body.title as string;
    /** Polls until the answer shows `title` (a change event arrives a moment after the commit). */
    async function eventually(id: string, title: string): Promise<number> {
      const started = Date.now();
      while ((await titleOf(id)) !== title) {
        if (Date.now() - started > 3000) throw new Error(`still not "${title}" after 3 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Date.now() - started;
    }

    it('should answer a repeat from memory without SQL, with the same bytes and ETag as a fresh read', async () => {
      const product = await app.db.knex('products').where({ title: 'Kopi Arabika Gayo 250g' }).first();
      for (const path of [`/products/${product.id}`, '/products?q=kopi&sort=price_asc', '/stores/kopi-priangan-asep', '/categories']) {
        const first = await app.request('GET', path);
        let again: Awaited<ReturnType<TestApp['request']>> | undefined;
        expect(await countQueries(app, async () => (again = await app.request('GET', path))), path).to.equal(0);
        expect(JSON.stringify(again!.body)).to.equal(JSON.stringify(first.body));
        const text = JSON.stringify(first.body);
        expect(again!.headers.get('etag'), path).to.equal(`W/"${createHash('sha1').update(text).digest('base64url')}"`);
        expect(again!.headers.get('etag')).to.equal(first.headers.get('etag'));
        expect(again!.headers.get('content-type')).to.match(/^application\/json/);
        expect((await app.request('GET', path, { headers: { 'if-none-match': first.headers.get('etag')! } })).status).to.equal(304);
      }
    });

    it("should show a seller's change at once on this replica and within moments on every replica", async () => {
      const seller = await signUpSeller(app, 'Toko Cache');
      const cats = await categories(app);
      const product = await createProduct(app, seller, { title: 'Gelas Bambu', categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 20000, stock: 4 }] });
      const replica = await startTestApp({ DATABASE_URL: app.config.databaseUrl! });
      try {
        expect(await titleOf(product.id)).to.equal('Gelas Bambu');
        expect((await replica.request('GET', `/products/${product.id}`)).body.title).to.equal('Gelas Bambu');
        const renamed = await app.request('PATCH', `/seller/products/${product.id}`, { token: seller.token, body: { title: 'Gelas Bambu Ukir' } });
        expect(renamed.status).to.equal(200);
        expect(await titleOf(product.id), 'read your own write').to.equal('Gelas Bambu Ukir');
        const started = Date.now();
        while ((await replica.request('GET', `/products/${product.id}`)).body.title !== 'Gelas Bambu Ukir') {
          expect(Date.now() - started, 'the other replica hears the change').to.be.below(3000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // a change made straight in SQL (a job, a migration, another service) is announced too
        await app.db.knex('products').where({ id: product.id }).update({ title: 'Gelas Bambu Polos' });
        expect(await eventually(product.id, 'Gelas Bambu Polos')).to.be.below(3000);
        await app.db.knex('productVariants').where({ productId: product.id }).update({ stock: 0 });
        const started2 = Date.now();
        while ((await app.request('GET', `/products/${product.id}`)).body.inStock !== false) {
          expect(Date.now() - started2, 'stock changes drop the cache').to.be.below(3000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await replica.close();
      }
    });

    it('should drop only the pages of the products a sale changed, and every answer when a variant sells out or a price changes', async () => {
      const seller = await signUpSeller(app, 'Toko Stok');
      const cats = await categories(app);
      const make = (title: string) => createProduct(app, seller, { title, categoryId: cats.fesyen, status: 'active', variants: [{ options: {}, price: 15000, stock: 3 }] });
      const [sold, other] = [await make('Tatakan Rotan'), await make('Tatakan Pandan')];
      const list = `/products?storeId=${(await app.db.knex('products').where({ id: sold.id }).first()).storeId}`;
      const stockShown = async () => (await app.request('GET', `/products/${sold.id}`)).body.variants[0].stock as number;
      /** Polls `shown` until it is `want`: the change event arrives a moment after the commit. */
      async function until<T>(shown: () => Promise<T>, want: T, what: string) {
        const started = Date.now();
        while ((await shown()) !== want) {
          expect(Date.now() - started, what).to.be.below(3000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const shopper = await signUpCustomer(app);
      const buy = async (quantity: number) => {
        expect((await app.request('POST', '/cart/items', { token: shopper.token, body: { variantId: sold.variants[0].id, quantity } })).status).to.equal(200);
        const body = { shippingAddress: { recipient: 'Sari', phone: '081234567890', street: 'Jl. Kaliurang 5', city: 'Yogyakarta', province: 'DI Yogyakarta', postalCode: '55281' }, paymentMethod: 'cod' };
        expect((await app.request('POST', '/checkout', { token: shopper.token, body, headers: { 'idempotency-key': randomUUID() } })).status).to.equal(201);
      };
      const cached = async (path: string) => (await countQueries(app, () => app.request('GET', path))) === 0;
      for (const path of [`/products/${sold.id}`, `/products/${other.id}`, list]) {
        await app.request('GET', path);
        expect(await cached(path), path).to.equal(true);
      }

      await buy(1);
      await until(stockShown, 2, 'the sold product shows its new stock');
      expect(await cached(`/products/${other.id}`), 'another product stays cached').to.equal(true);
      expect(await cached(list), 'lists stay cached: every product in them is still in stock').to.equal(true);

      await buy(2);
      await until(async () => (await app.request('GET', list)).body.items.find((p: { id: string }) => p.id === sold.id)?.inStock, false, 'lists show it sold out');
      // a change that is not stock alone (here a price, straight in SQL) drops every answer
      await app.request('GET', list);
      expect(await cached(list)).to.equal(true);
      await app.db.knex('productVariants').where({ productId: other.id }).update({ price: 17000 });
      await until(async () => (await app.request('GET', `/products/${other.id}`)).body.variants[0].price, 17000, 'the new price shows');
      expect(await cached(list), 'lists are read again').to.equal(false);
    });

    it('should keep nothing while it cannot hear change events, and cache again once it can', async () => {
      const product = await app.db.knex('products').where({ title: 'Kopi Arabika Puntang 200g' }).first();
      await titleOf(product.id);
      expect(await countQueries(app, () => titleOf(product.id))).to.equal(0);
      // the listening connection dies: changes made now are announced to nobody
      await app.db.knex.raw(`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %' and datname = current_database()`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await app.db.knex('products').where({ id: product.id }).update({ title: 'Kopi Arabika Puntang 200 gram' });
      expect(await titleOf(product.id)).to.equal('Kopi Arabika Puntang 200 gram');
      // reconnected within about a second: answers are cached again
      const started = Date.now();
      while ((await countQueries(app, () => titleOf(product.id))) > 0) {
        expect(Date.now() - started, 'listening again').to.be.below(5000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
  });
});

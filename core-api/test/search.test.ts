import { expect } from 'chai';
import { seedDemo } from '../../seeds/demo.ts';
import { rebuildSearchIndex, syncSearchIndex } from '../src/modules/catalog/index.ts';
import { MeiliSearchEngine, PostgresSearchEngine, type ProductSearch, type SearchEngine } from '../src/platform/search/engine.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { createTestStorage } from './support/storage.ts';

/** Every engine whose server is here: Postgres always, Meilisearch when MEILI_URL is set. */
const engines: Array<{ name: string; make: (db: TestDatabase) => SearchEngine }> = [
  { name: 'postgres', make: (db) => new PostgresSearchEngine(db.knex) },
  ...(process.env.MEILI_URL
    ? [{ name: 'meilisearch', make: (db: TestDatabase) => new MeiliSearchEngine(process.env.MEILI_URL!, process.env.MEILI_API_KEY, `products_test_${Date.now()}`) }]
    : []),
];

const query = (q: Partial<ProductSearch>): ProductSearch => ({ sort: 'relevance', page: 1, pageSize: 100, ...q });

/** A database of its own with the demo catalog. */
async function seededDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  const storage = await createTestStorage();
  await seedDemo({ knex: db.knex, storage });
  await storage.destroy();
  return db;
}

for (const { name, make } of engines) {
  describe(`search contract (${name})`, () => {
    let db: TestDatabase;
    let engine: SearchEngine;
    let titles: Map<string, string>;
    let categoryOf: Map<string, string>;

    before(async function () {
      this.timeout(120_000);
      db = await seededDatabase();
      // one draft product must never be found
      await db.knex('products').where({ title: 'Dompet Batik Lipat' }).update({ status: 'draft' });
      engine = make(db);
      await rebuildSearchIndex(db.knex, engine);
      const rows = await db.knex('products').select('id', 'title', 'categoryId');
      titles = new Map(rows.map((r) => [r.id, r.title]));
      categoryOf = new Map(rows.map((r) => [r.id, r.categoryId]));
    });
    after(async () => {
      await db?.destroy();
    });

    const titlesOf = async (q: Partial<ProductSearch>) => (await engine.search(query(q))).ids.map((id) => titles.get(id)!);
    const slugId = async (slug: string) => (await db.knex('categories').where({ slug }).first('id')).id as string;

    it('should find words, prefixes, and tolerate typos (sepato, kemja)', async () => {
      expect(await titlesOf({ q: 'sepatu' })).to.include('Sepatu Kanvas Lokal Motif Batik');
      expect(await titlesOf({ q: 'sepato' })).to.include('Sepatu Kanvas Lokal Motif Batik');
      const kemeja = await titlesOf({ q: 'kemja' });
      expect(kemeja).to.include('Kemeja Batik Parang Lengan Panjang');
      expect(kemeja.every((t) => /kemeja/i.test(t)), kemeja.join(', ')).to.equal(true);
      expect(await titlesOf({ q: 'grinde' })).to.include('Grinder Kopi Manual');
    });

    /** Adds active products with these titles (in an existing store and category) to the catalog and the index. */
    const addProducts = async (...newTitles: string[]) => {
      // always the same model product (and store): the store filter's test counts that store's products
      const model = await db.knex('products').where({ status: 'active', title: 'Kemeja Linen Kerah Mandarin' }).first('storeId', 'categoryId');
      const rows = await db.knex('products')
        .insert(newTitles.map((title, i) => ({ ...model, title, slug: `extra-${Date.now()}-${i}`, description: 'Buatan lokal.', status: 'active', priceMin: 50000, priceMax: 50000 })))
        .returning(['id', 'title', 'categoryId']);
      for (const r of rows) titles.set(r.id, r.title);
      for (const r of rows) categoryOf.set(r.id, r.categoryId);
      await syncSearchIndex(db.knex, engine, rows.map((r: { id: string }) => r.id));
    };

    it('should find short typos: batk and btik find batik, sepato sepatu, and kopi arabca ranks arabica coffee first', async () => {
      for (const typo of ['batk', 'btik']) {
        const found = await titlesOf({ q: typo });
        expect(found.filter((t) => /batik/i.test(t)).length, `${typo}: ${found.join(', ')}`).to.be.above(3);
      }
      expect(await titlesOf({ q: 'sepato' })).to.include('Sepatu Kanvas Lokal Motif Batik');
      const coffee = await titlesOf({ q: 'kopi arabca' });
      expect(coffee[0], coffee.join(', ')).to.match(/^Kopi Arabika/);
      expect(coffee.slice(0, 2).every((t) => /arabika/i.test(t)), coffee.join(', ')).to.equal(true);
    });

    it('should find affixed forms from a root word without over-stemming (meja is not kemeja)', async () => {
      await addProducts('Pencuci Piring Jeruk Nipis', 'Pakaian Bayi Katun', 'Bumbu Masakan Padang', 'Meja Lipat Kayu Jati', 'Meja Belajar Anak');
      expect(await titlesOf({ q: 'cuci' })).to.include('Pencuci Piring Jeruk Nipis');
      expect(await titlesOf({ q: 'pakai' })).to.include('Pakaian Bayi Katun');
      expect(await titlesOf({ q: 'masak' })).to.include('Bumbu Masakan Padang');
      const meja = await titlesOf({ q: 'meja' });
      expect(meja.slice(0, 2).sort(), meja.join(', ')).to.deep.equal(['Meja Belajar Anak', 'Meja Lipat Kayu Jati']);
      expect(meja.filter((t) => /kemeja/i.test(t)), 'kemeja is not a table').to.deep.equal([]);
      expect(await titlesOf({ q: 'keranjang' })).to.include('Keranjang Rotan Bulat');
    });

    it('should find what shoppers call the same thing (synonyms kept as data)', async () => {
      expect(await titlesOf({ q: 'hp' })).to.include('Dudukan Ponsel Kayu Jati');
      expect(await titlesOf({ q: 'handphone' })).to.include('Dudukan Ponsel Kayu Jati');
      const baju = await titlesOf({ q: 'baju' });
      expect(baju).to.include('Kemeja Linen Kerah Mandarin');
      expect(baju).to.include('Pakaian Bayi Katun');
    });

    it('should search category and store names too', async () => {
      const byStore = await titlesOf({ q: 'priangan' });
      expect(byStore).to.include('Kopi Arabika Gayo 250g');
    });

    it('should never return a product that is not active', async () => {
      expect(await titlesOf({ q: 'dompet' })).to.not.include('Dompet Batik Lipat');
      const active = await db.knex('products').where({ status: 'active' }).count({ n: '*' }).first();
      expect((await engine.search(query({}))).total).to.equal(Number(active!.n));
    });

    it('should include descendants in a category filter and count facets', async () => {
      const fesyen = await slugId('fesyen');
      const children = new Set(await db.knex('categories').where({ parentId: fesyen }).pluck('id'));
      const result = await engine.search(query({ categoryId: fesyen }));
      expect(result.total).to.be.above(5);
      for (const id of result.ids) expect(children.has(categoryOf.get(id)!), titles.get(id)).to.equal(true);
      const facetTotal = result.facets.categories.reduce((n, f) => n + f.count, 0);
      expect(facetTotal).to.equal(result.total);
      expect(result.facets.stores.reduce((n, f) => n + f.count, 0)).to.equal(result.total);
    });

    it('should filter by store, price range and stock', async () => {
      const store = await db.knex('stores').where({ slug: 'kopi-priangan-asep' }).first('id');
      const byStore = await engine.search(query({ storeId: store.id }));
      expect(byStore.total).to.equal(14);
      expect(byStore.facets.stores).to.deep.equal([{ id: store.id, count: 14 }]);

      const cheap = await engine.search(query({ maxPrice: 30000 }));
      const prices = await db.knex('products').whereIn('id', cheap.ids).select('priceMin', 'priceMax');
      expect(prices.length).to.be.above(0);
      for (const p of prices) expect(p.priceMin).to.be.at.most(30000);
      const band = await engine.search(query({ minPrice: 200000, maxPrice: 300000 }));
      for (const p of await db.knex('products').whereIn('id', band.ids)) {
        expect(p.priceMax >= 200000 && p.priceMin <= 300000, p.title).to.equal(true);
      }

      await db.knex('productVariants').whereIn('productId', db.knex('products').where({ title: 'Teh Rosela Kering 50g' }).select('id')).update({ stock: 0 });
      await syncSearchIndex(db.knex, engine, [...titles].filter(([, t]) => t === 'Teh Rosela Kering 50g').map(([id]) => id));
      expect(await titlesOf({ inStock: true })).to.not.include('Teh Rosela Kering 50g');
      expect(await titlesOf({ inStock: false })).to.include('Teh Rosela Kering 50g');
    });

    it('should sort by price both ways, newest, popularity and rating', async () => {
      const byPrice = await engine.search(query({ sort: 'price_asc' }));
      const price = new Map((await db.knex('products').select('id', 'priceMin', 'soldCount', 'ratingAvg', 'createdAt')).map((p) => [p.id, p]));
      const sequence = (ids: string[], key: string) => ids.map((id) => Number(price.get(id)[key]));
      const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] <= x);
      expect(ascending(sequence(byPrice.ids, 'priceMin'))).to.equal(true);
      expect(ascending(sequence((await engine.search(query({ sort: 'price_desc' }))).ids, 'priceMin').reverse())).to.equal(true);
      expect(ascending(sequence((await engine.search(query({ sort: 'newest' }))).ids, 'createdAt').reverse())).to.equal(true);

      const [best] = await db.knex('products').where({ status: 'active' }).orderBy('title').limit(1);
      await db.knex('products').where({ id: best.id }).update({ soldCount: 500, ratingAvg: 4.9, ratingCount: 12 });
      await syncSearchIndex(db.knex, engine, [best.id]);
      expect((await engine.search(query({ sort: 'popular' }))).ids[0]).to.equal(best.id);
      expect((await engine.search(query({ sort: 'rating' }))).ids[0]).to.equal(best.id);
    });

    it('should paginate without overlap, with the same total on every page', async () => {
      const first = await engine.search(query({ sort: 'newest', pageSize: 10, page: 1 }));
      const second = await engine.search(query({ sort: 'newest', pageSize: 10, page: 2 }));
      const pages = Math.ceil(first.total / 10);
      const last = await engine.search(query({ sort: 'newest', pageSize: 10, page: pages }));
      const beyond = await engine.search(query({ sort: 'newest', pageSize: 10, page: pages + 1 }));
      expect(first.ids).to.have.length(10);
      expect(first.ids.filter((id) => second.ids.includes(id))).to.deep.equal([]);
      expect(last.ids).to.have.length(first.total - (pages - 1) * 10);
      expect(beyond.ids).to.deep.equal([]);
      expect(new Set([first.total, second.total, last.total, beyond.total]).size).to.equal(1);
    });

    it('should page through every match of a word by relevance, each once, however deep the page', async () => {
      const [{ storeId, categoryId }] = await db.knex('products').where({ status: 'active', title: 'Kemeja Linen Kerah Mandarin' }).select('storeId', 'categoryId');
      const made: Array<{ id: string }> = await db.knex('products')
        .insert(Array.from({ length: 150 }, (_, k) => ({
          storeId,
          categoryId,
          title: k % 3 ? `Lentera Gantung ${k}` : `Hiasan Meja ${k}`,
          slug: `lentera-uji-${k}`,
          description: k % 3 ? 'Lampu hias.' : 'Cocok dengan lentera gantung.',
          status: 'active',
          priceMin: 10000,
          priceMax: 10000,
          // ties in sales too: the order must still be one and the same on every page
          soldCount: k % 7,
        })))
        .returning('id');
      await syncSearchIndex(db.knex, engine, made.map((p) => p.id));
      const seen: string[] = [];
      for (let page = 1; page <= 8; page++) {
        const result = await engine.search(query({ q: 'lentera', pageSize: 24, page }));
        expect(result.total).to.equal(150);
        seen.push(...result.ids);
      }
      expect(seen).to.have.length(150);
      expect(new Set(seen)).to.deep.equal(new Set(made.map((p) => p.id)));
      // the title matches rank above the description's mentions
      expect(seen.slice(0, 24).every((id) => made.findIndex((p) => p.id === id) % 3 !== 0)).to.equal(true);
      await db.knex('products').whereIn('id', made.map((p) => p.id)).delete();
      await syncSearchIndex(db.knex, engine, made.map((p) => p.id));
    });

    if (name === 'postgres') {
      it('should rank a word\'s matches once for its first pages (the same pages as ranked alone), and query deeper pages', async () => {
        const ranked = new PostgresSearchEngine(db.knex);
        const reads: string[] = [];
        const onQuery = (q: { sql: string }) => q.sql.includes('ts_rank') && reads.push(q.sql);
        db.knex.on('query', onQuery);
        try {
          const pages = await Promise.all([1, 2, 3, 4, 5].map((page) => ranked.search(query({ q: 'kopi', pageSize: 2, page }))));
          expect(reads).to.have.length(1);
          const alone = await Promise.all([1, 2, 3, 4, 5].map((page) => new PostgresSearchEngine(db.knex).search(query({ q: 'kopi', pageSize: 2, page }))));
          expect(pages.map((p) => p.ids)).to.deep.equal(alone.map((p) => p.ids));
          expect(pages.flatMap((p) => p.ids)).to.have.length(Math.min(10, pages[0].total));
          reads.length = 0;
          // past the ranked candidates (120), a page is one query of its own
          await ranked.search(query({ q: 'kopi', pageSize: 2, page: 61 }));
          await ranked.search(query({ q: 'kopi', pageSize: 2, page: 61 }));
          expect(reads).to.have.length(2);
        } finally {
          db.knex.off('query', onQuery);
        }
      });

      it('should count a filter\'s facets once for concurrent searches, and answer from the last count while recounting', async () => {
        const counted = new PostgresSearchEngine(db.knex, 300);
        const counts: string[] = [];
        const onQuery = (q: { sql: string }) => q.sql.includes('grouping sets') && counts.push(q.sql);
        db.knex.on('query', onQuery);
        try {
          const pages = await Promise.all([1, 2, 3, 4, 5, 6].map((page) => counted.search(query({ sort: 'newest', pageSize: 2, page }))));
          expect(counts).to.have.length(1);
          expect(new Set(pages.map((p) => p.total)).size).to.equal(1);
          // past the TTL, a search answers from the last count at once while one count runs anew
          const [one] = await db.knex('products').where({ status: 'active' }).limit(1).select('id');
          await db.knex('products').where({ id: one.id }).update({ status: 'draft' });
          await new Promise((resolve) => setTimeout(resolve, 350));
          expect((await counted.search(query({ sort: 'newest', pageSize: 2 }))).total).to.equal(pages[0].total);
          for (let waited = 0; counts.length < 2 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
          expect(counts).to.have.length(2);
          await new Promise((resolve) => setTimeout(resolve, 20));
          expect((await counted.search(query({ sort: 'newest', pageSize: 2 }))).total).to.equal(pages[0].total - 1);
          expect(counts).to.have.length(2);
          // a change the engine is told of is never answered from an old count
          await db.knex('products').where({ id: one.id }).update({ status: 'active' });
          await syncSearchIndex(db.knex, counted, [one.id]);
          expect((await counted.search(query({ sort: 'newest', pageSize: 2 }))).total).to.equal(pages[0].total);
        } finally {
          db.knex.off('query', onQuery);
        }
      });
    }

    it('should list at most 100 values per facet, those with most matches first', async () => {
      const [model] = await db.knex('products').where({ status: 'active', title: 'Kemeja Linen Kerah Mandarin' }).select('categoryId');
      const owners: Array<{ id: string }> = await db.knex('users')
        .insert(Array.from({ length: 101 }, (_, k) => ({ email: `facet-${k}@uji.test`, passwordHash: 'x', name: `Penjual ${k}`, role: 'seller' })))
        .returning('id');
      const stores: Array<{ id: string }> = await db.knex('stores')
        .insert(owners.map((o, k) => ({ ownerId: o.id, name: `Toko Uji Faset ${k}`, slug: `toko-uji-faset-${k}`, location: 'Bandung' })))
        .returning('id');
      // the first store has two: it leads the list; every other store has one
      const made: Array<{ id: string }> = await db.knex('products')
        .insert([...stores, stores[0]].map((s, k) => ({ storeId: s.id, categoryId: model.categoryId, title: `Gantungan Zamrud ${k}`, slug: `gantungan-zamrud-${k}`, description: '', status: 'active', priceMin: 1000, priceMax: 1000 })))
        .returning('id');
      await syncSearchIndex(db.knex, engine, made.map((p) => p.id));
      try {
        const found = await engine.search(query({ q: 'zamrud' }));
        expect(found.total).to.equal(102);
        expect(found.facets.stores).to.have.length(100);
        expect(found.facets.stores[0]).to.deep.equal({ id: stores[0].id, count: 2 });
        expect(found.facets.stores.slice(1).every((f) => f.count === 1)).to.equal(true);
        expect(found.facets.categories).to.deep.equal([{ id: model.categoryId, count: 102 }]);
      } finally {
        await db.knex('products').whereIn('id', made.map((p) => p.id)).delete();
        await db.knex('users').whereIn('id', owners.map((o) => o.id)).delete();
        await syncSearchIndex(db.knex, engine, made.map((p) => p.id));
      }
    });

    it('should answer a word from the catalog as last synced, not from a ranking read before the change', async () => {
      const before = await engine.search(query({ q: 'kopi', pageSize: 3 }));
      expect(before.ids).to.have.length(3);
      const [first] = before.ids;
      await db.knex('products').where({ id: first }).update({ status: 'archived' });
      await syncSearchIndex(db.knex, engine, [first]);
      const after = await engine.search(query({ q: 'kopi', pageSize: 3 }));
      expect(after.ids).to.not.include(first);
      expect(after.ids.slice(0, 2)).to.deep.equal(before.ids.slice(1));
      expect(after.total).to.equal(before.total - 1);
      await db.knex('products').where({ id: first }).update({ status: 'active' });
      await syncSearchIndex(db.knex, engine, [first]);
      expect((await engine.search(query({ q: 'kopi', pageSize: 3 }))).ids).to.deep.equal(before.ids);
    });

    it('should follow a product leaving the catalog', async () => {
      const [gone] = await db.knex('products').where({ title: 'Cobek Batu Merapi' }).select('id');
      await db.knex('products').where({ id: gone.id }).update({ status: 'archived' });
      await syncSearchIndex(db.knex, engine, [gone.id]);
      expect(await titlesOf({ q: 'cobek' })).to.deep.equal([]);
    });
  });
}

describe('rebuilding the Postgres search data (npm run reindex)', () => {
  let db: TestDatabase;
  before(async function () {
    this.timeout(120_000);
    db = await seededDatabase();
  });
  after(async () => {
    await db?.destroy();
  });

  it('should recompute lost search vectors and drop words no longer in the catalog, reporting its progress', async () => {
    const engine = new PostgresSearchEngine(db.knex, 0);
    const search = async (q: string) => (await engine.search({ q, sort: 'relevance', page: 1, pageSize: 100 })).ids;
    const [cobek] = await db.knex('products').where({ title: 'Cobek Batu Merapi' }).select('id');
    expect(await search('cobek')).to.deep.equal([cobek.id]);
    // what no trigger would do: a vector lost, a word left behind
    await db.knex.raw(`update products set search_vector = '' where id = ?`, [cobek.id]);
    await db.knex.raw(`insert into search_words (word, root) values ('zzyzxkata', 'zzyzxkata')`);
    expect(await search('cobek')).to.deep.equal([]);

    const progress: Array<[number, number]> = [];
    await rebuildSearchIndex(db.knex, engine, (done, total) => progress.push([done, total]));
    expect(await search('cobek')).to.deep.equal([cobek.id]);
    expect(await db.knex('search_words').where({ word: 'zzyzxkata' }).first()).to.equal(undefined);
    expect(await db.knex('search_words').where({ word: 'cobek' }).first()).to.not.equal(undefined);
    const products = Number((await db.knex('products').count({ n: '*' }).first())!.n);
    expect(progress).to.deep.equal([[products, products]]);
  });
});

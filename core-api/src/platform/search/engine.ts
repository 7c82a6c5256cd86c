import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { Meilisearch, type Index } from 'meilisearch';

export type ProductSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest' | 'popular' | 'rating';

export interface ProductSearch {
  q?: string;
  /** The category asked for; its descendants match too. */
  categoryId?: string;
  storeId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: ProductSort;
  page: number;
  pageSize: number;
}

export interface FacetCount {
  id: string;
  count: number;
}

export interface SearchResult {
  /** The page's product ids, in order. */
  ids: string[];
  total: number;
  facets: { categories: FacetCount[]; stores: FacetCount[] };
}

/** What a search index holds of an active product; built from Postgres, the source of truth. */
export interface ProductDocument {
  id: string;
  title: string;
  description: string;
  storeId: string;
  storeName: string;
  categoryId: string;
  /** The category and all its ancestors, so a parent category's filter finds it. */
  categoryIds: string[];
  categoryNames: string[];
  price: number;
  priceMax: number;
  inStock: boolean;
  soldCount: number;
  ratingAvg: number;
  createdAt: number;
  /** Indonesian roots of the title's and description's words (pencuci -> cuci), so a root finds its affixed forms. */
  roots: string[];
}

/**
 * Where a rebuild reads from: the catalog hands it over (see modules/catalog/search-documents.ts), so
 * an engine builds no documents and writes no catalog table itself.
 */
export interface SearchIndexSource {
  /** How many documents `batches` yields. */
  count(): Promise<number>;
  /** Every searchable product's document, in batches. */
  batches(): AsyncIterable<ProductDocument[]>;
  /** Recomputes the catalog's own search columns (which the Postgres engine reads), in `trx`; the rows touched. */
  refreshSearchColumns(trx: Knex): Promise<number>;
}

/** Product search: Meilisearch when MEILI_URL is set, Postgres otherwise. Both pass one contract suite. */
export interface SearchEngine {
  readonly kind: 'meilisearch' | 'postgres';
  check(): Promise<void>;
  search(query: ProductSearch): Promise<SearchResult>;
  /** Brings the index up to date: these documents in, the products `removedIds` names out. */
  sync(documents: ProductDocument[], removedIds: string[]): Promise<void>;
  /** Rebuilds the whole index from `source`, reporting progress as (done, total). */
  rebuild(source: SearchIndexSource, onProgress?: (done: number, total: number) => void): Promise<void>;
}

/** Shoppers' words for the same thing, kept as data: each group is mutual. */
const SYNONYM_GROUPS = (JSON.parse(readFileSync(new URL('./synonyms.json', import.meta.url), 'utf8')) as { groups: string[][] }).groups;
export const SYNONYMS = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) for (const word of group) SYNONYMS.set(word, [...new Set([...(SYNONYMS.get(word) ?? []), ...group.filter((w) => w !== word)])]);

/** A query's words: letters and digits, lower case (at most 8). */
export function queryWords(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 8);
}

/**
 * A typo is corrected to catalog words at least this similar (trigrams), and within SIMILARITY_BAND
 * of the best: `batk` -> batu (0.43) and batik (0.38), `kemja` -> kemeja (0.44) but not kemiri (0.3).
 */
const MIN_SIMILARITY = 0.34;
const SIMILARITY_BAND = 0.1;
/**
 * Ranking by relevance reorders this many matches, the most sold (five pages of 24), however many
 * match; the matches after them follow in sold order. A common word's page then reads at most a
 * couple of thousand rows in sold order instead of ranking every match, and every page agrees with
 * the others (no overlap, no gap) however deep it is.
 */
const RANKED_CANDIDATES = 120;

const ORDER: Record<Exclude<ProductSort, 'relevance'>, string> = {
  price_asc: 'p.price_min asc, p.id',
  price_desc: 'p.price_min desc, p.id',
  newest: 'p.created_at desc, p.id',
  popular: 'p.sold_count desc, p.id',
  rating: 'p.rating_avg desc, p.rating_count desc, p.id',
};

type FacetRow = { category_id: string | null; store_id: string | null; n: number };

/** A filter's total and facets, as every search with that filter answers them. */
type Facets = Pick<SearchResult, 'total' | 'facets'>;

/** At most this many values per facet, the most frequent, like Meilisearch's default (maxValuesPerFacet). */
const MAX_FACET_VALUES = 100;

/** The aggregate's rows as a result's total and facets, most matches first (ties by id). */
function facetsOf(rows: FacetRow[]): Facets {
  const byCount = (a: FacetCount, b: FacetCount) => b.count - a.count || a.id.localeCompare(b.id);
  const values = (pick: (row: FacetRow) => string | null) =>
    rows.flatMap((r) => (pick(r) === null ? [] : [{ id: pick(r)!, count: r.n }])).sort(byCount).slice(0, MAX_FACET_VALUES);
  return {
    total: rows.find((r) => r.category_id === null && r.store_id === null)?.n ?? 0,
    facets: { categories: values((r) => r.category_id), stores: values((r) => r.store_id) },
  };
}

/** A query word, whether catalog words start with it, its affixed forms and the words it may be a typo of. */
type ExpansionRow = { word: string; known: boolean; forms: string[]; similar: Array<{ word: string; similarity: number }> };

/** How long a filter's facets and total are reused (the public catalog may be cached 60 s anyway). */
const FACET_TTL_MS = 30_000;

/** The facet aggregate's bindings (the search's filters), handed to the cache's fetch. */
type Filters = Record<'q' | 'tsquery' | 'categoryId' | 'storeId', string | null> & Record<'minPrice' | 'maxPrice', number | null> & { inStock: boolean | null };

export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgres';
  private readonly db: Knex;
  private readonly facetTtlMs: number;
  private readonly facetCache: LRUCache<string, Facets, { sql: string; filters: Filters }>;
  /** Expanded queries, kept as long as facets (new catalog words show up within that time). */
  private readonly expansions: LRUCache<string, { tsquery: string; strict: string }>;
  /** A filter's relevance order of its RANKED_CANDIDATES most sold matches, kept as long as its facets: pages 1 to 5 read no SQL. */
  private readonly rankings: LRUCache<string, string[], { sql: string; bindings: Record<string, unknown> }>;

  constructor(db: Knex, facetTtlMs = FACET_TTL_MS) {
    this.db = db;
    this.facetTtlMs = Math.max(1, facetTtlMs);
    // one aggregate per filter at a time, however many searches wait for it; a read under way when
    // the cache is cleared (sync) still answers its own search but is not kept
    this.facetCache = new LRUCache({
      max: 1000,
      ttl: this.facetTtlMs,
      ignoreFetchAbort: true,
      fetchMethod: async (_key, _stale, { context }) => facetsOf((await this.db.raw<{ rows: FacetRow[] }>(context.sql, context.filters)).rows),
    });
    this.expansions = new LRUCache({ max: 5000, ttl: Math.max(1, facetTtlMs) });
    this.rankings = new LRUCache({
      max: 1000,
      ttl: this.facetTtlMs,
      ignoreFetchAbort: true,
      fetchMethod: async (_key, _stale, { context }) => (await this.db.raw<{ rows: Array<{ id: string }> }>(context.sql, context.bindings)).rows.map((r) => r.id),
    });
  }

  /**
   * How long a count or ranking read now is kept: 80 to 100% of the configured time, so the filters
   * first searched together (as after a restart) are not all read again in the same moment.
   */
  private keptFor(): number {
    return Math.max(1, Math.round(this.facetTtlMs * (0.8 + 0.2 * Math.random())));
  }

  async check(): Promise<void> {
    const row = await this.db('pg_extension').where({ extname: 'pg_trgm' }).first<{ extname: string } | undefined>('extname');
    if (!row) throw new Error('pg_trgm extension is not installed');
  }

  /**
   * Each query word becomes an OR of itself (as a prefix), its synonyms, the catalog words sharing its
   * Indonesian root and, when no catalog word starts with it, the title words it is a typo of; the
   * words are ANDed. One small statement over the word table finds all that, then the products are
   * matched through the full-text index.
   */
  private async expand(words: string[]): Promise<{ tsquery: string; strict: string }> {
    const key = words.join(' ');
    const known = this.expansions.get(key);
    if (known) return known;
    const { rows } = await this.db.raw<{ rows: ExpansionRow[] }>(
      `select q.word,
         exists (select 1 from search_words w where w.word >= q.word and w.word < q.word || chr(1114111)) as known,
         array(select w.word from search_words w where w.root = pasar_word_root(q.word) and w.word <> q.word order by w.word limit 10) as forms,
         coalesce((select json_agg(json_build_object('word', c.word, 'similarity', c.s)) from (
           select w.word, similarity(w.word, q.word) as s from search_words w where w.word % q.word order by s desc, w.word limit 5) c), '[]') as similar
       from unnest(cast(? as text[])) as q(word)`,
      [words],
    );
    const byWord = new Map(rows.map((r) => [r.word, r]));
    const groups = words.map((word) => {
      const found = byWord.get(word)!;
      const best = found.similar[0]?.similarity ?? 0;
      const corrections = found.known ? [] : found.similar.filter((c) => c.similarity >= MIN_SIMILARITY && c.similarity >= best - SIMILARITY_BAND).map((c) => c.word);
      const exact = [...new Set([...found.forms, ...(SYNONYMS.get(word) ?? [])])].filter((w) => w !== word);
      // a guessed word must be in a title (weight A): a description's passing mention is too weak
      return [`${word}:*`, ...exact, ...corrections.map((c) => `${c}:A`)].join(' | ');
    });
    const expanded = { tsquery: groups.map((g) => `(${g})`).join(' & '), strict: words.map((w) => `${w}:*`).join(' & ') };
    this.expansions.set(key, expanded);
    return expanded;
  }

  /**
   * Facets and the total depend on the filters, not on the page or the sort: they are counted in one
   * aggregate pass (grouping sets) and kept for FACET_TTL_MS, which the catalog's public caching
   * (max-age 60) already allows. The page itself is one ordered, limited query that indexes serve;
   * by relevance it ranks a bounded set of candidates (the RANKED_CANDIDATES most sold matches),
   * the shopper's own words above synonyms, corrections and affixed forms. That ranking depends on
   * the filters alone too, so it is read once and kept as long as the facets: the pages within it
   * (five of 24) are slices of it, and only deeper pages query again.
   */
  async search(query: ProductSearch): Promise<SearchResult> {
    const q = query.q?.trim() || null;
    const words = q ? queryWords(q) : [];
    const { tsquery, strict } = words.length ? await this.expand(words) : { tsquery: null, strict: null };
    const sort = query.sort === 'relevance' && !q ? 'newest' : query.sort;
    const filters: Filters = {
      q,
      tsquery,
      categoryId: query.categoryId ?? null,
      storeId: query.storeId ?? null,
      minPrice: query.minPrice ?? null,
      maxPrice: query.maxPrice ?? null,
      inStock: query.inStock ?? null,
    };
    const matches = `with recursive wanted_categories as (
        select id from categories where id = :categoryId
        union all
        select c.id from categories c join wanted_categories w on c.parent_id = w.id
      )
      select %COLUMNS% from products p
      where p.status = 'active'
        and (cast(:q as text) is null or (cast(:tsquery as text) is not null and p.search_vector @@ to_tsquery('simple', cast(:tsquery as text))))
        and (cast(:categoryId as uuid) is null or p.category_id in (select id from wanted_categories))
        and (cast(:storeId as uuid) is null or p.store_id = cast(:storeId as uuid))
        and (cast(:minPrice as bigint) is null or p.price_max >= cast(:minPrice as bigint))
        and (cast(:maxPrice as bigint) is null or p.price_min <= cast(:maxPrice as bigint))
        and (cast(:inStock as boolean) is null or cast(:inStock as boolean) = exists (
              select 1 from product_variants v where v.product_id = p.id and v.archived_at is null and v.stock > 0))`;
    const offset = (query.page - 1) * query.pageSize;
    const key = JSON.stringify(filters);
    // past its time, a filter's facets (and ranking) still answer for at most as long again while one
    // search reads them afresh: a whole-catalog count never stalls the searches that arrive meanwhile
    const allowStale = (remainingMs: number) => remainingMs > -this.facetTtlMs;
    let page: Promise<string[]>;
    if (sort === 'relevance' && offset + query.pageSize <= RANKED_CANDIDATES) {
      // the first pages by relevance are slices of the filter's ranking, read once for every page
      const sql = `select c.id from (${matches.replace('%COLUMNS%', 'p.id, p.search_vector')} order by p.sold_count desc, p.id limit :candidates) c
        order by c.search_vector @@ to_tsquery('simple', cast(:strict as text)) desc,
          ts_rank(c.search_vector, to_tsquery('simple', cast(:tsquery as text))) desc, c.id`;
      page = this.rankings.fetch(key, { allowStale: allowStale(this.rankings.getRemainingTTL(key)), ttl: this.keptFor(), context: { sql, bindings: { ...filters, strict, candidates: RANKED_CANDIDATES } } }).then((ids) => {
        if (!ids) throw new Error('ranking missing');
        return ids.slice(offset, offset + query.pageSize);
      });
    } else {
      const sql =
        sort === 'relevance'
          ? `select id from (
               select c.id, c.search_vector, row_number() over (order by c.sold_count desc, c.id) as k
               from (${matches.replace('%COLUMNS%', 'p.id, p.search_vector, p.sold_count')} order by p.sold_count desc, p.id limit :upto) c) m
             order by m.k > :candidates,
               case when m.k <= :candidates then m.search_vector @@ to_tsquery('simple', cast(:strict as text)) end desc,
               case when m.k <= :candidates then ts_rank(m.search_vector, to_tsquery('simple', cast(:tsquery as text))) end desc,
               case when m.k <= :candidates then m.id end, m.k
             limit :limit offset :offset`
          : matches.replace('%COLUMNS%', 'p.id') + ` order by ${ORDER[sort]} limit :limit offset :offset`;
      page = this.db
        .raw<{ rows: Array<{ id: string }> }>(sql, {
          ...filters,
          strict,
          limit: query.pageSize,
          offset,
          candidates: RANKED_CANDIDATES,
          upto: offset + query.pageSize,
        })
        .then((r) => r.rows.map((row) => row.id));
    }
    const aggregate = this.facetCache.fetch(key, {
      allowStale: allowStale(this.facetCache.getRemainingTTL(key)),
      ttl: this.keptFor(),
      context: { sql: matches.replace('%COLUMNS%', 'p.category_id, p.store_id, cast(count(*) as int) as n') + ' group by grouping sets ((p.category_id), (p.store_id), ())', filters },
    });
    const [ids, counted] = await Promise.all([page, aggregate]);
    if (!counted) throw new Error('facet counts missing');
    return { ids, ...counted };
  }

  /** Postgres reads the products themselves (search_vector and search_words are kept by triggers); only cached facets and rankings go stale. */
  async sync(): Promise<void> {
    this.facetCache.clear();
    this.rankings.clear();
    this.expansions.clear();
  }

  /** Has the catalog recompute its search columns, and rebuilds the word table (dropping words no longer in the catalog). */
  async rebuild(source: SearchIndexSource, onProgress?: (done: number, total: number) => void): Promise<void> {
    this.facetCache.clear();
    this.rankings.clear();
    this.expansions.clear();
    const updated = await this.db.transaction(async (trx) => {
      const rows = await source.refreshSearchColumns(trx);
      await trx.raw('delete from search_words');
      await trx.raw(`insert into search_words (word, root)
        select w, pasar_word_root(w) from (
          select pasar_text_words(title || ' ' || description) w from products
          union select pasar_text_words(name_id || ' ' || name_en) from categories
          union select pasar_text_words(name) from stores) x`);
      return rows;
    });
    onProgress?.(updated, updated);
  }
}

const MEILI_SORT: Record<Exclude<ProductSort, 'relevance'>, string[]> = {
  price_asc: ['price:asc'],
  price_desc: ['price:desc'],
  newest: ['createdAt:desc'],
  popular: ['soldCount:desc'],
  rating: ['ratingAvg:desc'],
};

const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export class MeiliSearchEngine implements SearchEngine {
  readonly kind = 'meilisearch';
  readonly client: Meilisearch;
  private readonly index: Index<ProductDocument>;
  private settingsApplied = false;

  constructor(url: string, apiKey?: string, indexName = 'products') {
    this.client = new Meilisearch({ host: url, apiKey });
    this.index = this.client.index<ProductDocument>(indexName);
  }

  async check(): Promise<void> {
    await this.client.health();
  }

  /** Searchable, filterable and sortable attributes; typo tolerance is Meilisearch's default. */
  private async ensureSettings(): Promise<void> {
    if (this.settingsApplied) return;
    await this.client.createIndex(this.index.uid, { primaryKey: 'id' }).waitTask().catch(() => undefined);
    await this.index
      .updateSettings({
        searchableAttributes: ['title', 'categoryNames', 'storeName', 'description', 'roots'],
        filterableAttributes: ['categoryIds', 'categoryId', 'storeId', 'price', 'priceMax', 'inStock'],
        sortableAttributes: ['price', 'createdAt', 'soldCount', 'ratingAvg'],
        rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
        // short typos too: `batk` and `btik` find batik
        typoTolerance: { minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } },
        synonyms: Object.fromEntries(SYNONYMS),
      })
      .waitTask();
    this.settingsApplied = true;
  }

  async search(query: ProductSearch): Promise<SearchResult> {
    await this.ensureSettings();
    const filter: string[] = [];
    if (query.categoryId) filter.push(`categoryIds = ${quote(query.categoryId)}`);
    if (query.storeId) filter.push(`storeId = ${quote(query.storeId)}`);
    if (query.minPrice !== undefined) filter.push(`priceMax >= ${query.minPrice}`);
    if (query.maxPrice !== undefined) filter.push(`price <= ${query.maxPrice}`);
    if (query.inStock !== undefined) filter.push(`inStock = ${query.inStock}`);
    const q = query.q?.trim() ?? '';
    const sort = query.sort === 'relevance' ? (q ? undefined : MEILI_SORT.newest) : MEILI_SORT[query.sort];
    const result = await this.index.search(q, {
      filter,
      sort,
      facets: ['categoryId', 'storeId'],
      page: query.page,
      hitsPerPage: query.pageSize,
      attributesToRetrieve: ['id'],
    });
    const facet = (name: string): FacetCount[] =>
      Object.entries(result.facetDistribution?.[name] ?? {})
        .map(([id, count]) => ({ id, count }))
        .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
    return {
      ids: result.hits.map((h) => h.id),
      total: result.totalHits ?? 0,
      facets: { categories: facet('categoryId'), stores: facet('storeId') },
    };
  }

  async sync(documents: ProductDocument[], removedIds: string[]): Promise<void> {
    if (documents.length === 0 && removedIds.length === 0) return;
    await this.ensureSettings();
    if (documents.length) await this.index.addDocuments(documents).waitTask();
    if (removedIds.length) await this.index.deleteDocuments(removedIds).waitTask();
  }

  async rebuild(source: SearchIndexSource, onProgress?: (done: number, total: number) => void): Promise<void> {
    await this.ensureSettings();
    await this.index.deleteAllDocuments().waitTask();
    const total = await source.count();
    let done = 0;
    for await (const batch of source.batches()) {
      await this.index.addDocuments(batch).waitTask();
      done += batch.length;
      onProgress?.(done, total);
    }
  }
}

import type { Knex } from 'knex';
import { Meilisearch } from 'meilisearch';

/**
 * Product search behind one interface: Meilisearch when MEILI_URL is set, Postgres otherwise.
 * The catalog issue adds the query and indexing operations; both engines answer `check`.
 */
export interface SearchEngine {
  readonly kind: 'meilisearch' | 'postgres';
  check(): Promise<void>;
}

export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgres';
  private readonly db: Knex;
  constructor(db: Knex) {
    this.db = db;
  }
  async check(): Promise<void> {
    // typo-tolerant search depends on trigram similarity being installed
    const row = await this.db('pg_extension').where({ extname: 'pg_trgm' }).first();
    if (!row) throw new Error('pg_trgm extension is not installed');
  }
}

export class MeiliSearchEngine implements SearchEngine {
  readonly kind = 'meilisearch';
  readonly client: Meilisearch;
  constructor(url: string, apiKey?: string) {
    this.client = new Meilisearch({ host: url, apiKey });
  }
  async check(): Promise<void> {
    await this.client.health();
  }
}

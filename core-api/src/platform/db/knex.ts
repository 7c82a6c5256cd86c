import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import pg from 'pg';

// bigint (int8) columns hold money and counts far below 2^53: read them as numbers
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export const migrationsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../migrations');

export function createKnex(url: string, pool: { min?: number; max?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: {
      min: pool.min ?? 0,
      max: pool.max ?? 10,
      // times are stored and computed in UTC; store time zones are applied explicitly in SQL
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
        conn.query(`set timezone = 'UTC'`, (err) => done(err, conn)),
    },
    ...knexSnakeCaseMappers(),
  });
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  // knex types the result `any`: [batch number, file names applied]
  const [, applied] = (await db.migrate.latest({ directory: migrationsDirectory, loadExtensions: ['.ts'] })) as [number, string[]];
  return applied;
}

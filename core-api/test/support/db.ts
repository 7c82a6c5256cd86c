import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { createKnex } from '../../src/platform/db/knex.ts';
import { TEMPLATE_DATABASE, required, testEnv } from './env.ts';

export interface TestDatabase {
  url: string;
  knex: Knex;
  destroy(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(required(testEnv.adminUrl));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied, cloned from the template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pasar_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
  const url = new URL(required(testEnv.adminUrl));
  url.pathname = `/${name}`;
  const knex = createKnex(url.toString());
  return {
    url: url.toString(),
    knex,
    destroy: async () => {
      await knex.destroy();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

export async function countRows(knex: Knex, table: string, where: (qb: Knex.QueryBuilder) => void = () => {}): Promise<number> {
  const query = knex(table).count<{ count: string }[]>({ count: '*' });
  where(query);
  const [{ count }] = await query;
  return Number(count);
}

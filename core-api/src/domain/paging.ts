import type { Knex } from 'knex';

export interface PageRequest {
  page: number;
  pageSize: number;
}

export interface Page<T> extends PageRequest {
  items: T[];
  total: number;
}

/**
 * Counts what `base` matches, then fetches the requested page of it through `fetch` (which adds
 * the order and the columns). One rule for every list: `total` counts all matches, pages start at 1.
 */
export async function countThenPage<T>(
  base: Knex.QueryBuilder,
  request: PageRequest,
  fetch: (page: Knex.QueryBuilder) => Promise<T[]>,
): Promise<Page<T>> {
  const [{ count }] = await base.clone().count<Array<{ count: string }>>({ count: '*' });
  const items = await fetch(base.clone().limit(request.pageSize).offset((request.page - 1) * request.pageSize));
  return { items, total: Number(count), page: request.page, pageSize: request.pageSize };
}

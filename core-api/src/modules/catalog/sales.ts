import type { Knex } from 'knex';

/**
 * Moves products' sold counts by the units sold (positive) or given back (negative; a count never
 * goes below zero), in one statement that locks the products in id order, so concurrent
 * checkouts and cancellations cannot deadlock on them. Runs in the caller's transaction.
 */
export async function adjustSoldCounts(trx: Knex, changes: Array<{ productId: string; units: number }>): Promise<void> {
  const units = new Map<string, number>();
  for (const c of changes) units.set(c.productId, (units.get(c.productId) ?? 0) + c.units);
  const ids = [...units.keys()].filter((id) => units.get(id) !== 0).sort();
  if (ids.length === 0) return;
  await trx.raw(
    `with s as (select unnest(cast(? as uuid[])) as id, unnest(cast(? as int[])) as units),
          locked as (select p.id from products p join s on s.id = p.id order by p.id for update of p)
     update products p set sold_count = greatest(p.sold_count + s.units, 0)
     from s join locked l on l.id = s.id where p.id = s.id`,
    [ids, ids.map((id) => units.get(id)!)],
  );
}

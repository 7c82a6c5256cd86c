import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { Handlers } from '../../http/handler.ts';

type Category = components['schemas']['Category'];

/** Parents before children, each level by position: the order a menu is built in. */
function treeOrder(categories: Category[]): Category[] {
  const byParent = new Map<string | null, Category[]>();
  for (const c of categories) byParent.set(c.parentId, [...(byParent.get(c.parentId) ?? []), c]);
  const ordered: Category[] = [];
  let level = byParent.get(null) ?? [];
  while (level.length) {
    level.sort((a, b) => a.position - b.position || a.slug.localeCompare(b.slug));
    ordered.push(...level);
    level = level.flatMap((c) => byParent.get(c.id) ?? []);
  }
  return ordered;
}

export function catalogHandlers(db: Knex): Handlers<'listCategories'> {
  return {
    listCategories: async () => {
      const rows: Category[] = await db('categories').select('id', 'slug', 'nameId', 'nameEn', 'parentId', 'position');
      return { status: 200, body: { items: treeOrder(rows) } };
    },
  };
}

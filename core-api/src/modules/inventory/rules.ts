/**
 * The stock rules, in one place, as TypeScript predicates and as SQL over a `product_variants` alias.
 * What a seller sees: a variant is `out` at 0, `low` while 0 < stock < its low-stock threshold, `ok`
 * from the threshold up. The same three words label it in the portal (inventory list and filter,
 * product editor, dashboard counts) and the weekly report's "running low" list; sold-out variants
 * are `out`, counted apart. The low-stock email goes out once per crossing below the threshold, whether
 * the variant lands on low or sells out at once.
 */
export type StockStatus = 'ok' | 'low' | 'out';

/** Shoppers can buy it: at least one unit. */
export const inStock = (stock: number): boolean => stock > 0;

export const stockStatus = (stock: number, threshold: number): StockStatus => (!inStock(stock) ? 'out' : stock < threshold ? 'low' : 'ok');

/** The change that raises the low-stock alert: from at or above the threshold to below it (low, or out at once). */
export const crossesBelowThreshold = (before: number, after: number, threshold: number): boolean => before >= threshold && after < threshold;

/** `crossesBelowThreshold` in SQL, over SQL expressions for the stock before and after and the threshold. */
export const crossesBelowThresholdSql = (before: string, after: string, threshold: string): string => `(${before} >= ${threshold} and ${after} < ${threshold})`;

/** `inStock` in SQL, for the variant alias `v` (e.g. `v`, `product_variants`). */
export const inStockSql = (v = 'v'): string => `${v}.stock > 0`;

/** A product (alias `p`) has a live variant in stock: what the storefront's "in stock" filter and badge mean. */
export const productInStockSql = (p = 'p'): string =>
  `exists (select 1 from product_variants v where v.product_id = ${p}.id and v.archived_at is null and ${inStockSql('v')})`;

/** The variants of a status in SQL, for the variant alias `v`. */
export function stockStatusSql(status: StockStatus, v = 'v'): string {
  switch (status) {
    case 'out':
      return `${v}.stock = 0`;
    case 'low':
      return `${v}.stock > 0 and ${v}.stock < ${v}.low_stock_threshold`;
    case 'ok':
      return `${v}.stock > 0 and ${v}.stock >= ${v}.low_stock_threshold`;
  }
}

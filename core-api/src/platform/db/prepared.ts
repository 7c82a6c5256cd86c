/**
 * Query options that make Postgres keep a statement prepared on each connection under `name`
 * (node-postgres), so a statement run on every request is parsed and planned once per connection
 * instead of every time. Only for a statement whose text never changes: one name, one text.
 */
export const PREPARED = (name: string): { name: string } => ({ name });

import slugify from 'slugify';

/** An ILIKE pattern matching `text` anywhere, with `%`, `_` and `\` in it taken literally. */
export function containing(text: string): string {
  return `%${text.replace(/[%_\\]/g, '\\$&')}%`;
}

/** `Kopi Arabika Gayo` → `kopi-arabika-gayo`: lower case, ASCII, at most `maxLength`; `fallback` when nothing is left. */
export function slugOf(text: string, maxLength: number, fallback: string): string {
  return slugify.default(text, { lower: true, strict: true, locale: 'id' }).slice(0, maxLength) || fallback;
}

/** A regular expression (Postgres `~`) matching the numbered forms of `base`: `base-2`, `base-3`… */
export function numberedSlugPattern(base: string): string {
  return `^${base}-[0-9]+$`;
}

/** `base`, or the first of `base-2`, `base-3`… not in `taken` (the slugs matching `base` or its numbered forms). */
export function firstFreeSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

import type { Knex } from 'knex';

/**
 * The catalog's distinct words (titles, descriptions, category and store names), each with its
 * Indonesian root, kept by statement triggers. Search corrects a query's typos against this small
 * table (trigram index) instead of comparing every title, and relates a root to its affixed forms
 * (cuci -> pencuci, masak -> masakan). Words are only added; `npm run reindex` prunes the gone ones.
 *
 * The root rules are conservative on purpose: no bare `ke-`, `di-`, `-i` or `-kan` (kemeja is not meja,
 * keranjang is not ranjang, kopi is not kop), and a root keeps at least four letters.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function pasar_word_root(w text) returns text language plpgsql immutable strict as $$
    declare r text := lower(w);
    begin
      if length(r) < 6 then return r; end if;
      if r ~ '(nya|lah|kah)$' and length(r) >= 7 then r := left(r, -3); end if;
      if r ~ '^ke.+an$' and length(r) >= 8 then return substr(r, 3, length(r) - 4); end if;
      if r ~ '^(peng|meng)[aiueo]' and length(r) >= 7 then r := 'k' || substr(r, 5);
      elsif r ~ '^(peny|meny)[aiueo]' and length(r) >= 7 then r := 's' || substr(r, 5);
      elsif r ~ '^(pem|mem)[aiueo]' and length(r) >= 7 then r := 'p' || substr(r, 4);
      elsif r ~ '^(pem|mem)[bpf]' and length(r) >= 7 then r := substr(r, 4);
      elsif r ~ '^(pen|men)[aiueo]' and length(r) >= 7 then r := 't' || substr(r, 4);
      elsif r ~ '^(pen|men)[cdjt]' and length(r) >= 7 then r := substr(r, 4);
      elsif r ~ '^(ber|ter|per)' and length(r) >= 7 then r := substr(r, 4);
      elsif r ~ '^(pe|me)[lrwy]' and length(r) >= 6 then r := substr(r, 3);
      end if;
      if r ~ 'an$' and length(r) >= 6 then r := left(r, -2); end if;
      return r;
    end $$`);
  await knex.raw(`create table search_words (word text collate "C" primary key, root text not null)`);
  await knex.raw(`create index search_words_trigram on search_words using gin (word gin_trgm_ops)`);
  await knex.raw(`create index search_words_root on search_words (root)`);
  // the words of a text: letters and digits, lower case, not digits alone
  await knex.raw(`
    create function pasar_text_words(t text) returns setof text language sql immutable as $$
      select distinct w from regexp_split_to_table(lower(coalesce(t, '')), '[^[:alnum:]]+') w
      where length(w) between 2 and 40 and w !~ '^[0-9]+$'
    $$`);
  await knex.raw(`
    create function pasar_add_search_words() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'products' and tg_op = 'UPDATE' then
        -- most updates (stock, sales, ratings) change no words
        insert into search_words (word, root)
        select distinct w, pasar_word_root(w) from new_rows n join old_rows o on o.id = n.id, pasar_text_words(n.title || ' ' || n.description) w
        where n.title is distinct from o.title or n.description is distinct from o.description
        on conflict do nothing;
      elsif tg_table_name = 'products' then
        insert into search_words (word, root)
        select distinct w, pasar_word_root(w) from new_rows n, pasar_text_words(n.title || ' ' || n.description) w
        on conflict do nothing;
      elsif tg_table_name = 'categories' then
        insert into search_words (word, root)
        select distinct w, pasar_word_root(w) from new_rows n, pasar_text_words(n.name_id || ' ' || n.name_en) w
        on conflict do nothing;
      else
        insert into search_words (word, root)
        select distinct w, pasar_word_root(w) from new_rows n, pasar_text_words(n.name) w
        on conflict do nothing;
      end if;
      return null;
    end $$`);
  for (const table of ['products', 'categories', 'stores']) {
    await knex.raw(`create trigger ${table}_search_words_insert after insert on ${table}
      referencing new table as new_rows for each statement execute function pasar_add_search_words()`);
    await knex.raw(`create trigger ${table}_search_words_update after update on ${table}
      referencing old table as old_rows new table as new_rows for each statement execute function pasar_add_search_words()`);
  }
  await knex.raw(`
    insert into search_words (word, root)
    select w, pasar_word_root(w) from (
      select pasar_text_words(title || ' ' || description) w from products
      union select pasar_text_words(name_id || ' ' || name_en) from categories
      union select pasar_text_words(name) from stores) x
    on conflict do nothing`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['products', 'categories', 'stores']) {
    for (const op of ['insert', 'update']) await knex.raw(`drop trigger if exists ${table}_search_words_${op} on ${table}`);
  }
  await knex.raw('drop function if exists pasar_add_search_words()');
  await knex.raw('drop function if exists pasar_text_words(text)');
  await knex.raw('drop table if exists search_words');
  await knex.raw('drop function if exists pasar_word_root(text)');
}

import type { Knex } from 'knex';
import { getProvinces, getRegencies } from 'idn-area-data';

/**
 * Each province's capital (the regency or city holding its government), by code: the data package
 * has none, and a province name alone ("DKI Jakarta", "Jawa Barat") stands for its capital.
 */
const CAPITALS: Record<string, string> = {
  '11': '11.71', '12': '12.71', '13': '13.71', '14': '14.71', '15': '15.71', '16': '16.71', '17': '17.71', '18': '18.71',
  '19': '19.71', '21': '21.72', '31': '31.71', '32': '32.73', '33': '33.74', '34': '34.71', '35': '35.78', '36': '36.73',
  '51': '51.71', '52': '52.71', '53': '53.71', '61': '61.71', '62': '62.71', '63': '63.72', '64': '64.72', '65': '65.01',
  '71': '71.71', '72': '72.71', '73': '73.71', '74': '74.71', '75': '75.71', '76': '76.02', '81': '81.71', '82': '82.72',
  '91': '91.71', '92': '92.02', '93': '93.01', '94': '94.01', '95': '95.01', '96': '96.71',
};

/** The name without its administrative prefix, lower case: "Kota Bandung" and "bandung" meet. */
const BARE = `lower(regexp_replace(trim(%s), '^(kota administrasi|kabupaten administrasi|kota|kabupaten|kab\\.?|provinsi|daerah khusus ibukota|daerah istimewa|dki|diy|di)\\s+', '', 'i'))`;

/**
 * Indonesia's provinces and their regencies/cities (kabupaten/kota), from `idn-area-data` (the
 * Ministry of Home Affairs' codes: `34` is DI Yogyakarta, `34.71` Kota Yogyakarta). Stores move onto
 * a city code; a store whose free-text city matches a city (a "Kota" before a "Kabupaten" of the same
 * name, as people mean the city) or a province's capital gets it, and its name is then the region's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('regions', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('level').notNullable().checkIn(['province', 'city'], 'regions_level_check');
    t.text('parent_code').references('regions.code').index();
    t.text('capital_code');
  });
  const provinces = await getProvinces();
  const cities = await getRegencies({ transform: true });
  await knex('regions').insert(provinces.map((p) => ({ code: p.code, name: p.name, level: 'province', parentCode: null, capitalCode: null })));
  await knex.batchInsert('regions', cities.map((c) => ({ code: c.code, name: c.name, level: 'city', parentCode: c.provinceCode, capitalCode: null })), 500);
  for (const [province, capital] of Object.entries(CAPITALS)) {
    await knex('regions').where({ code: province }).whereExists(knex('regions').where({ code: capital })).update({ capitalCode: capital });
  }
  await knex.raw(`alter table regions add constraint regions_shape_check check (
    (level = 'province' and code ~ '^[0-9]{2}$' and parent_code is null) or
    (level = 'city' and code ~ '^[0-9]{2}\\.[0-9]{2}$' and parent_code = substr(code, 1, 2)))`);

  await knex.schema.alterTable('stores', (t) => {
    t.text('city_code').references('regions.code');
  });
  await knex.raw(`
    update stores s set city_code = m.code, location = m.name
    from (
      select distinct on (s2.id) s2.id, r.code, r.name
      from stores s2
      join regions r on r.level = 'city' and (
        ${BARE.replace('%s', 'r.name')} = ${BARE.replace('%s', 's2.location')}
        or r.code = (select p.capital_code from regions p where p.level = 'province' and ${BARE.replace('%s', 'p.name')} = ${BARE.replace('%s', 's2.location')}))
      order by s2.id, (lower(r.name) = lower(trim(s2.location))) desc, (r.name ilike 'kota %') desc, r.code
    ) m
    where s.id = m.id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stores', (t) => t.dropColumn('city_code'));
  await knex.schema.dropTable('regions');
}

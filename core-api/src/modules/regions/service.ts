import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import { invalid, notFound } from '../../domain/errors.ts';

type Schemas = components['schemas'];

/** A province or a city (kabupaten/kota); loaded by migration, read-only at run time. */
interface RegionRow {
  code: string;
  name: string;
  level: 'province' | 'city';
  parentCode: string | null;
  capitalCode: string | null;
}

/** A city (kabupaten/kota) with its province: what addresses, stores and shipping refer to. */
export interface Place {
  cityCode: string;
  city: string;
  provinceCode: string;
  province: string;
}

/** "Kota Administrasi Jakarta Pusat" -> "jakarta pusat", "DKI Jakarta" -> "jakarta". */
export function bareName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^(kota administrasi|kabupaten administrasi|kota|kabupaten|kab\.?|provinsi|prov\.?|daerah khusus ibukota|daerah istimewa|dki|diy|di)\s+/, '');
}

/** Sørensen–Dice over letter pairs: enough to suggest "Kota Yogyakarta" for "Yogya". */
function likeness(a: string, b: string): number {
  const pairs = (s: string) => {
    const out = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
    return out;
  };
  const pa = pairs(a);
  const pb = pairs(b);
  let shared = 0;
  for (const [pair, n] of pa) shared += Math.min(n, pb.get(pair) ?? 0);
  const total = Math.max(1, a.length - 1 + b.length - 1);
  return (2 * shared) / total;
}

/**
 * Indonesia's provinces and cities (loaded by the regions migration from `idn-area-data`). They only
 * change with a migration, so each process reads them once.
 */
export class RegionsService {
  private readonly db: Knex;
  private loaded?: Promise<Map<string, RegionRow>>;

  constructor(db: Knex) {
    this.db = db;
    // read now, while the pool is idle: a first read from inside a checkout's transaction would wait
    // for a pool connection that concurrent checkouts hold while they wait for this read
    this.rows().catch(() => {});
  }

  private rows(): Promise<Map<string, RegionRow>> {
    // a knex builder, not a model query: it takes its pool connection at once (see the constructor)
    this.loaded ??= this.db('regions')
      .orderBy('code')
      .select<RegionRow[]>('code', 'name', 'level', 'parentCode', 'capitalCode')
      .then((rows) => new Map(rows.map((r) => [r.code, r])))
      .catch((err: unknown) => {
        this.loaded = undefined;
        throw err;
      });
    return this.loaded;
  }

  async provinces(): Promise<Schemas['RegionList']> {
    const rows = [...(await this.rows()).values()].filter((r) => r.level === 'province');
    return { items: rows.map((r) => ({ code: r.code, name: r.name, level: r.level })) };
  }

  async get(code: string): Promise<Schemas['RegionDetail']> {
    const all = await this.rows();
    const region = all.get(code);
    if (!region) throw notFound('region');
    const parent = region.parentCode ? all.get(region.parentCode) : undefined;
    const children = [...all.values()].filter((r) => r.parentCode === code);
    return {
      code: region.code,
      name: region.name,
      level: region.level,
      ...(parent ? { parent: { code: parent.code, name: parent.name, level: parent.level } } : {}),
      ...(region.capitalCode ? { capitalCode: region.capitalCode } : {}),
      children: children.map((r) => ({ code: r.code, name: r.name, level: r.level })),
    };
  }

  /** The place of a city code; an unknown code, or a city outside the given province, is a 422 at `pointer`. */
  async place(cityCode: string, pointer: string, provinceCode?: string, provincePointer = pointer): Promise<Place> {
    const all = await this.rows();
    const city = all.get(cityCode);
    if (!city || city.level !== 'city') {
      throw invalid(`There is no city or regency with code ${cityCode}; GET /regions/{provinceCode} lists them.`, [
        { pointer, message: 'must be a city code from GET /regions/{provinceCode}' },
      ]);
    }
    const province = all.get(city.parentCode!)!;
    if (provinceCode !== undefined && provinceCode !== province.code) {
      const given = all.get(provinceCode);
      if (!given || given.level !== 'province') {
        throw invalid(`There is no province with code ${provinceCode}; GET /regions lists them.`, [
          { pointer: provincePointer, message: 'must be a province code from GET /regions' },
        ]);
      }
      throw invalid(`${city.name} is in ${province.name} (${province.code}), not in ${given.name} (${provinceCode}).`, [
        { pointer, message: `must be a city of province ${provinceCode}` },
      ]);
    }
    return { cityCode: city.code, city: city.name, provinceCode: province.code, province: province.name };
  }

  /**
   * A city given as text, from clients that predate region codes. It must match one region, case
   * aside and with or without "Kota"/"Kabupaten"; a province name stands for its capital; when a
   * name is both a Kota and a Kabupaten ("Bandung") the Kota wins, as people mean the city. The
   * province text, when it names one, narrows the choice. Otherwise a 422 lists candidates.
   */
  async placeByName(cityText: string, pointer: string, provinceText?: string): Promise<Place> {
    const all = await this.rows();
    const regions = [...all.values()];
    const wanted = bareName(cityText);
    const province = provinceText ? regions.find((r) => r.level === 'province' && bareName(r.name) === bareName(provinceText)) : undefined;
    const inProvince = (r: RegionRow) => !province || r.parentCode === province.code;

    let matches = regions.filter((r) => r.level === 'city' && r.name.toLowerCase() === cityText.trim().toLowerCase().replace(/\s+/g, ' '));
    if (matches.length !== 1) {
      const found = new Map<string, RegionRow>();
      for (const r of regions) {
        if (r.level === 'city' && bareName(r.name) === wanted) found.set(r.code, r);
        if (r.level === 'province' && r.capitalCode && bareName(r.name) === wanted) found.set(r.capitalCode, all.get(r.capitalCode)!);
      }
      matches = [...found.values()].filter(inProvince);
      if (matches.length === 0) matches = [...found.values()];
      const kota = matches.filter((r) => /^kota /i.test(r.name));
      if (matches.length > 1 && kota.length === 1) matches = kota;
    }
    if (matches.length === 1) return this.place(matches[0].code, pointer);

    const candidates = (matches.length > 1 ? matches : regions.filter((r) => r.level === 'city'))
      .map((r) => ({ r, score: likeness(wanted, bareName(r.name)) }))
      .filter((c) => matches.length > 1 || c.score >= 0.4)
      .sort((a, b) => b.score - a.score || a.r.code.localeCompare(b.r.code))
      .slice(0, 5)
      .map(({ r }) => ({ code: r.code, name: r.name, province: all.get(r.parentCode!)!.name }));
    const detail = matches.length > 1
      ? `"${cityText}" could be several cities; send cityCode instead.`
      : `We do not know a city called "${cityText}"; send cityCode from GET /regions/{provinceCode}.`;
    throw invalid(detail, [{ pointer, message: 'must name one city or regency; send cityCode' }], { candidates });
  }
}

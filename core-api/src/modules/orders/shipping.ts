/** Where known cities are, for the simulated courier rates. */
const ISLANDS: Record<string, string> = {
  jakarta: 'jawa', bogor: 'jawa', depok: 'jawa', tangerang: 'jawa', bekasi: 'jawa', bandung: 'jawa', cirebon: 'jawa',
  semarang: 'jawa', solo: 'jawa', surakarta: 'jawa', yogyakarta: 'jawa', jogja: 'jawa', magelang: 'jawa', klaten: 'jawa',
  surabaya: 'jawa', malang: 'jawa', kediri: 'jawa', jember: 'jawa', sidoarjo: 'jawa', pekalongan: 'jawa', tegal: 'jawa',
  medan: 'sumatera', padang: 'sumatera', palembang: 'sumatera', pekanbaru: 'sumatera', 'bandar lampung': 'sumatera', aceh: 'sumatera', 'banda aceh': 'sumatera', jambi: 'sumatera',
  denpasar: 'bali-nt', badung: 'bali-nt', mataram: 'bali-nt', kupang: 'bali-nt', waingapu: 'bali-nt',
  pontianak: 'kalimantan', banjarmasin: 'kalimantan', balikpapan: 'kalimantan', samarinda: 'kalimantan', palangkaraya: 'kalimantan',
  makassar: 'sulawesi', manado: 'sulawesi', palu: 'sulawesi', kendari: 'sulawesi', gorontalo: 'sulawesi',
  ambon: 'maluku-papua', ternate: 'maluku-papua', jayapura: 'maluku-papua', sorong: 'maluku-papua',
};

const normalise = (city: string) => city.trim().toLowerCase().replace(/^(kota|kabupaten|kab\.)\s+/, '');

/**
 * The simulated courier (documented in the API): Rp 10.000 within a city, Rp 18.000 within an
 * island, Rp 35.000 between islands or to a city it does not know; Rp 1.000 for each unit after the first.
 */
export function shippingCost(fromCity: string, toCity: string, units: number): number {
  const from = normalise(fromCity);
  const to = normalise(toCity);
  const base = from === to ? 10_000 : ISLANDS[from] && ISLANDS[from] === ISLANDS[to] ? 18_000 : 35_000;
  return base + Math.max(0, units - 1) * 1_000;
}

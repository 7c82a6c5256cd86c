/**
 * Money and dates the way Pasar writes them everywhere: in the API's emails, the storefront and the
 * seller portal. Bahasa Indonesia first, English on request; times in Jakarta (WIB) unless a store
 * keeps another zone.
 */

/** The languages Pasar speaks. */
export type Lang = 'id' | 'en';

/** Where Pasar reads the clock unless told otherwise (WIB, UTC+7). */
export const JAKARTA = 'Asia/Jakarta';

const intlLocale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'id-ID');

const rupiahDigits = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

/** Rupiah as Indonesians write it, whatever the reader's language: `Rp 133.000`. */
export function formatRupiah(amount: number): string {
  return `Rp ${rupiahDigits.format(amount)}`;
}

// building an Intl formatter costs more than using one: a list of dates reuses them
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang} ${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(intlLocale(lang), options);
    formatters.set(key, found);
  }
  return found;
}

export interface MomentStyle {
  /** `medium` (default): `26 Nov 2026`; `long`: `26 November 2026`. */
  date?: 'medium' | 'long';
  /** The zone the reader lives in (an IANA name); Jakarta unless said. */
  timeZone?: string;
}

/**
 * A moment (an ISO timestamp, a Date or epoch milliseconds) with its hour, as the reader's clock
 * shows it: `26 Nov 2026, 14.05` (id) / `26 Nov 2026, 14:05` (en), in Jakarta unless `timeZone` says.
 */
export function formatDateTime(when: string | number | Date, lang: Lang, { date = 'medium', timeZone = JAKARTA }: MomentStyle = {}): string {
  return formatter(lang, { dateStyle: date, timeStyle: 'short', timeZone }).format(new Date(when));
}

/** The date a moment falls on where the reader lives (Jakarta unless `timeZone` says): `26 Nov 2026`. */
export function formatDate(when: string | number | Date, lang: Lang, { date = 'medium', timeZone = JAKARTA }: MomentStyle = {}): string {
  return formatter(lang, { dateStyle: date, timeZone }).format(new Date(when));
}

export interface DayStyle {
  /** `long` (default): `23 November 2026`; `short`: `23 Nov 2026`. */
  month?: 'long' | 'short';
  /** With the year (default) or without: `23 Nov`. */
  year?: boolean;
}

/**
 * A calendar day, which has no clock and no zone (a report's week, a chart's bucket): `2026-11-23`,
 * or a Date at that day's UTC midnight, is `23 November 2026` wherever it is read.
 */
export function formatDay(day: string | Date, lang: Lang, { month = 'long', year = true }: DayStyle = {}): string {
  const at = typeof day === 'string' ? new Date(`${day.slice(0, 10)}T00:00:00Z`) : day;
  return formatter(lang, { day: 'numeric', month, ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(at);
}

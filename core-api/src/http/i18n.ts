import type { Locale } from './locale.ts';

/** Problem titles, by status. */
export const TITLES: Record<Locale, Record<number, string>> = {
  en: {
    400: 'Invalid request', 401: 'Unauthorized', 402: 'Payment required', 403: 'Forbidden', 404: 'Not found',
    405: 'Method not allowed', 409: 'Conflict', 412: 'Precondition failed', 413: 'Payload too large', 415: 'Unsupported media type',
    422: 'Unprocessable request', 428: 'Precondition required', 429: 'Too many requests', 500: 'Internal server error', 503: 'Service unavailable',
  },
  id: {
    400: 'Permintaan tidak valid', 401: 'Belum masuk', 402: 'Pembayaran gagal', 403: 'Tidak diizinkan', 404: 'Tidak ditemukan',
    405: 'Metode tidak didukung', 409: 'Konflik', 412: 'Prasyarat tidak terpenuhi', 413: 'Muatan terlalu besar', 415: 'Jenis konten tidak didukung',
    422: 'Permintaan tidak dapat diproses', 428: 'Prasyarat diperlukan', 429: 'Terlalu banyak permintaan', 500: 'Kesalahan server', 503: 'Layanan tidak tersedia',
  },
};

const WHAT: Record<string, string> = {
  store: 'toko', product: 'produk', order: 'pesanan', image: 'foto', 'cart item': 'baris keranjang', address: 'alamat',
  variant: 'varian', 'variant on sale': 'varian yang dijual', region: 'wilayah', resource: 'data', checkout: 'checkout',
};

/**
 * Bahasa Indonesia for what the API says in English: problem details and field messages. The code
 * writes English; an answer in Indonesian goes through here. A text not listed stays English.
 */
const INDONESIAN: Array<[RegExp, (...m: string[]) => string]> = [
  [/^The request has invalid fields; see errors\.$/, () => 'Ada isian yang tidak valid; lihat errors.'],
  [/^No such (.+)\.$/, (_, what) => `${WHAT[what] ? WHAT[what][0].toUpperCase() + WHAT[what].slice(1) : what} tidak ditemukan.`],
  [/^Sign in to continue(.*)$/, () => 'Masuk dulu untuk melanjutkan: kirim Authorization: Bearer <access token>.'],
  [/^The access token has expired; refresh it\.$/, () => 'Access token kedaluwarsa; perbarui dengan refresh token.'],
  [/^The access token is not valid\.$/, () => 'Access token tidak valid.'],
  [/^The email or password is wrong\.$/, () => 'Email atau kata sandi salah.'],
  [/^Only (.+) accounts may do this\.$/, (_, who) => `Hanya akun ${who.replace(' or ', ' atau ').replace('customer', 'pembeli').replace('seller', 'penjual')} yang boleh melakukan ini.`],
  [/^Too many sign-in attempts\. Try again in (\d+) seconds\.$/, (_, s) => `Terlalu banyak percobaan masuk. Coba lagi dalam ${s} detik.`],
  [/^Something went wrong on our side\. Quote the request id when reporting it\.$/, () => 'Terjadi kesalahan di sisi kami. Sebutkan request id saat melapor.'],
  [/^Your cart is empty\.$/, () => 'Keranjang Anda kosong.'],
  [/^Some chosen lines are not in your cart\.$/, () => 'Sebagian baris yang dipilih tidak ada di keranjang Anda.'],
  [/^An account with this email already exists\.$/, () => 'Sudah ada akun dengan email ini.'],
  [/^The current password is wrong\.$/, () => 'Kata sandi saat ini salah.'],
  [/^There is no saved address with this id\.$/, () => 'Tidak ada alamat tersimpan dengan id ini.'],
  [/^One address is always the default; make another address the default instead\.$/, () => 'Selalu ada satu alamat utama; jadikan alamat lain sebagai utama.'],
  [/^You can keep at most (\d+) addresses; delete one first\.$/, (_, n) => `Anda dapat menyimpan paling banyak ${n} alamat; hapus satu dulu.`],
  [/^There is no city or regency with code (.+); GET \/regions\/\{provinceCode\} lists them\.$/, (_, c) => `Tidak ada kota atau kabupaten berkode ${c}; GET /regions/{provinceCode} mendaftarnya.`],
  [/^There is no province with code (.+); GET \/regions lists them\.$/, (_, c) => `Tidak ada provinsi berkode ${c}; GET /regions mendaftarnya.`],
  [/^(.+) is in (.+) \((\d+)\), not in (.+) \((\d+)\)\.$/, (_, city, p, pc, g, gc) => `${city} ada di ${p} (${pc}), bukan di ${g} (${gc}).`],
  [/^"(.+)" could be several cities; send cityCode instead\.$/, (_, c) => `"${c}" bisa berarti beberapa kota; kirim cityCode.`],
  [/^We do not know a city called "(.+)"; send cityCode from GET \/regions\/\{provinceCode\}\.$/, (_, c) => `Kami tidak mengenal kota bernama "${c}"; kirim cityCode dari GET /regions/{provinceCode}.`],
  [/^Nothing at (\S+) (\S+)\.$/, (_, m, p) => `Tidak ada apa pun di ${m} ${p}.`],
  [/^The body is not valid JSON \(an object is expected\)\.$/, () => 'Isi permintaan bukan JSON yang valid (harus berupa objek).'],
  [/^Send the body as (.+)\.$/, (_, t) => `Kirim isi permintaan sebagai ${t.replace(' or ', ' atau ')}.`],
  // field messages
  [/^is required$/, () => 'wajib diisi'],
  [/^is required \((.+)\)$/, (_, why) => `wajib diisi (${why})`],
  [/^is not a known field$/, () => 'bukan isian yang dikenal'],
  [/^is not a known parameter$/, () => 'bukan parameter yang dikenal'],
  [/^must not be blank$/, () => 'tidak boleh kosong'],
  [/^must be at least (\d+) characters long$/, (_, n) => `minimal ${n} karakter`],
  [/^must be at most (\d+) characters long$/, (_, n) => `maksimal ${n} karakter`],
  [/^must be at least (\S+)$/, (_, n) => `minimal ${n}`],
  [/^must be at most (\S+)$/, (_, n) => `maksimal ${n}`],
  [/^must be more than (\S+)$/, (_, n) => `harus lebih dari ${n}`],
  [/^must be less than (\S+)$/, (_, n) => `harus kurang dari ${n}`],
  [/^must be one of: (.+)$/, (_, v) => `harus salah satu dari: ${v}`],
  [/^must have at least (\d+) items?$/, (_, n) => `minimal ${n} item`],
  [/^must have at most (\d+) items?$/, (_, n) => `maksimal ${n} item`],
  [/^must not repeat an item$/, () => 'tidak boleh ada item yang berulang'],
  [/^must have at least one field$/, () => 'minimal satu isian'],
  [/^must be an? (.+)$/, (_, what) => `harus berupa ${TYPES[what] ?? what}`],
  [/^must be exactly (.+)$/, (_, v) => `harus tepat ${v}`],
  [/^must have exactly one of: (.+)$/, (_, v) => `harus berisi tepat satu dari: ${v}`],
  [/^a request body is required$/, () => 'isi permintaan wajib ada'],
];

const TYPES: Record<string, string> = {
  integer: 'bilangan bulat', number: 'angka', string: 'teks', boolean: 'true atau false', object: 'objek', array: 'daftar',
  UUID: 'UUID', 'date-time (RFC 3339)': 'tanggal-waktu (RFC 3339)', 'date (YYYY-MM-DD)': 'tanggal (YYYY-MM-DD)', 'email address': 'alamat email', URL: 'URL',
};

export function translate(text: string, locale: Locale): string {
  if (locale === 'en') return text;
  for (const [pattern, render] of INDONESIAN) {
    const match = pattern.exec(text);
    if (match) return render(...match);
  }
  return text;
}

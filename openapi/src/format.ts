/** Rupiah as Indonesians write it, whatever the page language: `Rp 133.000`. */
export function formatRupiah(amount: number): string {
  return `Rp ${new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 }).format(amount)}`;
}

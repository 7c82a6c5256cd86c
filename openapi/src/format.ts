const rupiah = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

/** Whole rupiah as Indonesians write it: `Rp 133.000` (a plain space, dots between thousands). */
export function formatRupiah(amount: number): string {
  return `${amount < 0 ? '-' : ''}Rp ${rupiah.format(Math.abs(amount))}`;
}

import { expect } from 'chai';
import { formatDate, formatDateTime, formatDay, formatRupiah } from '@pasar/openapi/format';

// The one formatting helper the emails, the gateway, the storefront and the seller portal share.
describe('@pasar/openapi/format', () => {
  describe('formatRupiah', () => {
    it('should write rupiah the Indonesian way: Rp, dots between thousands, no decimals', () => {
      expect(formatRupiah(133000)).to.equal('Rp 133.000');
      expect(formatRupiah(0)).to.equal('Rp 0');
      expect(formatRupiah(1_250_000_000)).to.equal('Rp 1.250.000.000');
      expect(formatRupiah(999.6)).to.equal('Rp 1.000');
    });
  });

  describe('formatDateTime', () => {
    it('should show the moment on the Jakarta clock in each language', () => {
      // 17:05 UTC is 00:05 WIB of the next day
      expect(formatDateTime('2026-11-25T17:05:00Z', 'id')).to.equal('26 Nov 2026, 00.05');
      expect(formatDateTime('2026-11-25T17:05:00Z', 'en')).to.equal('26 Nov 2026, 00:05');
      expect(formatDateTime(new Date('2026-11-25T17:05:00Z'), 'id', { date: 'long' })).to.equal('26 November 2026 pukul 00.05');
    });

    it('should use the zone it is given', () => {
      expect(formatDateTime('2026-11-25T17:05:00Z', 'en', { timeZone: 'Asia/Makassar' })).to.equal('26 Nov 2026, 01:05');
      expect(formatDateTime(Date.parse('2026-11-25T17:05:00Z'), 'en', { timeZone: 'UTC' })).to.equal('25 Nov 2026, 17:05');
    });
  });

  describe('formatDate', () => {
    it('should give the day the moment falls on in Jakarta', () => {
      expect(formatDate('2026-11-25T17:05:00Z', 'id')).to.equal('26 Nov 2026');
      expect(formatDate('2026-11-25T16:55:00Z', 'en', { date: 'long' })).to.equal('25 November 2026');
    });
  });

  describe('formatDay', () => {
    it('should write a calendar day without shifting it through any zone', () => {
      expect(formatDay('2026-11-16', 'id')).to.equal('16 November 2026');
      expect(formatDay('2026-11-22', 'en')).to.equal('22 November 2026');
      expect(formatDay(new Date('2026-08-01T00:00:00Z'), 'id', { month: 'short', year: false })).to.equal('1 Agu');
      expect(formatDay('2026-12-31', 'en', { month: 'short' })).to.equal('31 Dec 2026');
    });
  });
});

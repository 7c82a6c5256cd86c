import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { components } from '@pasar/openapi';
import { formatDay, formatRupiah } from '@pasar/openapi/format';
import { api } from '../api.ts';
import { currentLang, storeDate, t, type Key } from '../i18n.ts';
import { CardTable, Link, Select } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

type Analytics = components['schemas']['SellerAnalytics'];
type Series = Analytics['series'];

const STATUSES = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'] as const;
const RANGES = { '7': 'last7', '30': 'last30', '90': 'last90', '365': 'last365' } as const;

function sum(series: Series, from: number, to: number): number {
  return series.slice(Math.max(0, from), Math.max(0, to)).reduce((total, b) => total + b.revenue, 0);
}

function Change({ now, before }: { now: number; before: number }) {
  if (now === before) return <p class="hint">{t('noChange')}</p>;
  const pct = before === 0 ? 100 : Math.round(((now - before) / before) * 100);
  return (
    <p class={now > before ? 'up' : 'down'}>
      {now > before ? '▲' : '▼'} {Math.abs(pct)}% <span class="hint">{t('vsBefore')}</span>
    </p>
  );
}

/** A bucket's first day, written the seller's way (its timestamp is that date at UTC midnight). */
function bucketLabel(ts: number, long: boolean): string {
  return formatDay(new Date(ts * 1000), currentLang(), { month: 'short', year: long });
}

/** Revenue and orders per bucket; the legend follows the cursor and says Rp. */
function SalesChart({ series }: { series: Series }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    // bucket starts are the store's own dates: shown as they are, whatever the browser's zone
    const x = series.map((b) => Date.UTC(+b.start.slice(0, 4), +b.start.slice(5, 7) - 1, +b.start.slice(8, 10)) / 1000);
    const data: uPlot.AlignedData = [x, series.map((b) => b.revenue), series.map((b) => b.orders)];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    const width = Math.max(280, el.clientWidth);
    plot.current = new uPlot(
      {
        width,
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        series: [
          { label: t('placedAt'), value: (_u, ts) => (ts == null ? '–' : bucketLabel(ts, true)) },
          { label: t('revenue'), stroke: '#c2410c', fill: 'rgba(194,65,12,0.15)', width: 2, value: (_u, v) => (v == null ? '–' : formatRupiah(v)), scale: 'rp' },
          { label: t('orderCount'), stroke: '#1d4ed8', width: 2, value: (_u, v) => (v == null ? '–' : String(v)), scale: 'n' },
        ],
        scales: { n: { range: (_u, _min, max) => [0, Math.max(4, max)] }, rp: { range: (_u, _min, max) => [0, Math.max(10_000, max)] } },
        axes: [
          { values: (_u, ticks) => ticks.map((ts) => bucketLabel(ts, false)) },
          { scale: 'rp', size: 70, values: (_u, ticks) => ticks.map((v) => (v >= 1_000_000 ? `${v / 1_000_000} jt` : v >= 1000 ? `${v / 1000} rb` : String(v))) },
          { scale: 'n', side: 1, grid: { show: false } },
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series]);
  return <div ref={box} class="chart" data-testid="sales-chart" />;
}

export default function Dashboard(_: ScreenProps) {
  const [summary, setSummary] = useState<Analytics | null>(null);
  const [chart, setChart] = useState<Series | null>(null);
  const [range, setRange] = useState<keyof typeof RANGES>('30');
  const [granularity, setGranularity] = useState<'day' | 'week' | 'month'>('day');
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    // 60 days by day: this period and the one before, for every change figure
    api
      .GET('/seller/analytics', { params: { query: { from: storeDate(-59), to: storeDate(0), granularity: 'day' } } })
      .then(({ data }) => (data ? setSummary(data) : setFailed(true)))
      .catch(() => setFailed(true));
  }, []);
  useEffect(() => {
    api
      .GET('/seller/analytics', { params: { query: { from: storeDate(1 - Number(range)), to: storeDate(0), granularity } } })
      .then(({ data }) => (data ? setChart(data.series) : setFailed(true)))
      .catch(() => setFailed(true));
  }, [range, granularity]);

  if (failed) return <p role="alert">{t('serverError')}</p>;
  if (!summary) return <p aria-live="polite">{t('loading')}</p>;
  const s = summary.series;
  const n = s.length;
  const s30 = summary.summary;
  const views = summary.funnel.productViews;
  return (
    <section class="dashboard">
      <h1>{t('dashboard')}</h1>
      <div class="tiles">
        <article class="tile">
          <h2>{t('revenueToday')}</h2>
          <p class="big" data-testid="revenue-today">{formatRupiah(s30.revenueToday)}</p>
          <Change now={sum(s, n - 1, n)} before={sum(s, n - 2, n - 1)} />
        </article>
        <article class="tile">
          <h2>{t('revenue7d')}</h2>
          <p class="big">{formatRupiah(s30.revenue7d)}</p>
          <Change now={sum(s, n - 7, n)} before={sum(s, n - 14, n - 7)} />
        </article>
        <article class="tile">
          <h2>{t('revenue30d')}</h2>
          <p class="big">{formatRupiah(s30.revenue30d)}</p>
          <Change now={sum(s, n - 30, n)} before={sum(s, n - 60, n - 30)} />
        </article>
        <article class="tile">
          <h2>{t('ordersByStatus')}</h2>
          <ul class="plain">
            {STATUSES.map((status) => (
              <li key={status}>
                <Link href={`/orders?status=${status}`}>{t(status)}</Link>: <strong>{s30.ordersByStatus[status]}</strong>
              </li>
            ))}
          </ul>
        </article>
        <article class="tile">
          <h2>
            <Link href="/inventory">{t('inventory')}</Link>
          </h2>
          <p>
            <span class="badge low">{t('lowStock')}</span> <strong>{s30.lowStockCount}</strong>
          </p>
          <p>
            <span class="badge out">{t('outOfStock')}</span> <strong>{s30.outOfStockCount}</strong>
          </p>
        </article>
      </div>

      <article class="panel">
        <div class="row wrap between">
          <h2>{t('salesChart')}</h2>
          <div class="row wrap">
            <Select label={t('range')} value={range} onValue={(v) => setRange(v as keyof typeof RANGES)}>
              {Object.entries(RANGES).map(([value, key]) => (
                <option key={value} value={value}>
                  {t(key as Key)}
                </option>
              ))}
            </Select>
            <Select label={t('granularity')} value={granularity} onValue={(v) => setGranularity(v as typeof granularity)}>
              <option value="day">{t('day')}</option>
              <option value="week">{t('week')}</option>
              <option value="month">{t('month')}</option>
            </Select>
          </div>
        </div>
        {chart ? <SalesChart series={chart} /> : <p aria-live="polite">{t('loading')}</p>}
      </article>

      <div class="two">
        <article class="panel">
          <h2>{t('topProducts')}</h2>
          {summary.topProducts.length === 0 ? (
            <p class="hint">{t('nothingYet')}</p>
          ) : (
            <CardTable
              rows={summary.topProducts}
              rowKey={(p) => p.productId}
              columns={[
                { label: t('products'), cell: (p) => p.title },
                { label: t('units'), cell: (p) => p.units },
                { label: t('revenue'), cell: (p) => formatRupiah(p.revenue) },
              ]}
            />
          )}
        </article>
        <article class="panel">
          <h2>{t('funnel')}</h2>
          <dl class="funnel">
            <dt>{t('productViews')}</dt>
            <dd>{views}</dd>
            <dt>{t('addsToCart')}</dt>
            <dd>{summary.funnel.addsToCart}</dd>
            <dt>{t('orderCount')}</dt>
            <dd>{summary.funnel.orders}</dd>
            <dt>{t('conversion')}</dt>
            <dd>{views ? `${((summary.funnel.orders / views) * 100).toFixed(1)}%` : '–'}</dd>
          </dl>
        </article>
      </div>
    </section>
  );
}

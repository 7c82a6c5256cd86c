import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { formatRupiah } from '@pasar/openapi/format';
import { api } from '../api.ts';
import { formatStoreTime, t, type Key } from '../i18n.ts';
import { Confirm, Field, Link, NoticeBar, PagedTable, showAnswer, useDebounced, useSubmit, type Notice, type Page } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

type Order = components['schemas']['Order'];
type Status = components['schemas']['OrderStatus'];
type Counts = components['schemas']['OrderStatusCounts'];

const STATUSES: Status[] = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];
const METHODS: Record<string, string> = { ovo: 'OVO', dana: 'DANA', bca_va: 'BCA Virtual Account', cod: 'COD' };
const ACTORS: Record<string, Key> = { customer: 'actorCustomer', seller: 'actorSeller', system: 'actorSystem' };

function OrderList() {
  const initial = new URLSearchParams(location.search).get('status') as Status | null;
  const [status, setStatus] = useState<Status | ''>(initial && STATUSES.includes(initial) ? initial : '');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [list, setList] = useState<(Page<Order> & { counts: Counts }) | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const query = useDebounced(q.trim());

  useEffect(() => {
    showAnswer(api.GET('/seller/orders', { params: { query: { status: status || undefined, q: query || undefined, page, pageSize: 20 } } }), setList, setNotice);
  }, [status, query, page]);

  const all = list ? STATUSES.reduce((n, s) => n + list.counts[s], 0) : 0;
  return (
    <section>
      <h1>{t('orders')}</h1>
      <div class="tabs" role="group" aria-label={t('status')}>
        {(['', ...STATUSES] as const).map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={status === s}
            class={status === s ? 'tab current' : 'tab'}
            onClick={() => (setStatus(s), setPage(1))}
          >
            {s ? t(s) : t('all')} <span class="count">{list ? (s ? list.counts[s] : all) : ''}</span>
          </button>
        ))}
      </div>
      <div class="filters">
        <Field label={t('searchOrders')} type="search" value={q} onValue={(v) => (setQ(v), setPage(1))} placeholder="PSR-…" />
      </div>
      <NoticeBar notice={notice} />
      <PagedTable
        list={list}
        empty={query ? t('noMatch') : t('noOrders')}
        page={page}
        onPage={setPage}
        rowKey={(o) => o.id}
        columns={[
          { label: t('orderNumber'), cell: (o) => <Link href={`/orders/${o.id}`}>{o.number}</Link> },
          { label: t('placedAt'), cell: (o) => formatStoreTime(o.placedAt) },
          { label: t('buyer'), cell: (o) => o.shippingAddress.recipient },
          { label: t('total'), cell: (o) => formatRupiah(o.total) },
          { label: t('status'), cell: (o) => <span class={`badge ${o.status}`}>{t(o.status)}</span> },
        ]}
      />
    </section>
  );
}

type Move = { to: 'processing' | 'shipped' | 'delivered' | 'cancelled'; text: string };

function OrderDetail({ id }: { id: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [tracking, setTracking] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState<Move | null>(null);
  const { notice, errors, busy, run, setNotice, setErrors } = useSubmit();

  useEffect(() => {
    showAnswer(api.GET('/seller/orders/{id}', { params: { path: { id } } }), setOrder, setNotice);
  }, [id]);

  const move = ({ to }: Move) =>
    run(async () => {
      const body = { status: to, ...(to === 'shipped' ? { trackingNumber: tracking.trim() } : {}), ...(to === 'cancelled' && reason.trim() ? { reason: reason.trim() } : {}) };
      const answer = await api.POST('/seller/orders/{id}/status', { params: { path: { id } }, body });
      if (answer.data) setOrder(answer.data);
      return answer;
    }, t('orderUpdated', { status: t(to) }));

  if (!order) return notice ? <NoticeBar notice={notice} /> : <p aria-live="polite">{t('loading')}</p>;
  const a = order.shippingAddress;
  const shipRequested = () => {
    if (tracking.trim().length < 4) {
      setErrors({ trackingNumber: t('fixFields') });
      return;
    }
    setAsking({ to: 'shipped', text: t('confirmShip', { number: order.number, tracking: tracking.trim() }) });
  };
  return (
    <section class="order">
      <div class="row between wrap">
        <h1>
          {t('orderNumber')} {order.number}
        </h1>
        <Link href="/orders">{t('back')}</Link>
      </div>
      <p>
        <span class={`badge ${order.status}`}>{t(order.status)}</span> · {formatStoreTime(order.placedAt)}
        {order.trackingNumber && (
          <>
            {' '}
            · {t('trackingNumber')}: <strong>{order.trackingNumber}</strong>
          </>
        )}
      </p>
      <NoticeBar notice={notice} />
      <div class="two">
        <article class="panel">
          <h2>{t('items')}</h2>
          <ul class="plain lines">
            {order.items.map((item) => (
              <li key={item.id}>
                <span>
                  {item.title}
                  {Object.keys(item.options).length > 0 && <span class="hint"> · {Object.values(item.options).join(' / ')}</span>} × {item.quantity}
                </span>
                <span>{formatRupiah(item.lineTotal)}</span>
              </li>
            ))}
            <li>
              <span>{t('subtotal')}</span>
              <span>{formatRupiah(order.subtotal)}</span>
            </li>
            <li>
              <span>{t('shipping')}</span>
              <span>{formatRupiah(order.shippingCost)}</span>
            </li>
            <li class="strong">
              <span>{t('total')}</span>
              <span>{formatRupiah(order.total)}</span>
            </li>
          </ul>
        </article>
        <article class="panel">
          <h2>{t('address')}</h2>
          <address>
            <strong>{a.recipient}</strong>
            <br />
            {a.street}
            <br />
            {a.city}, {a.province} {a.postalCode}
            <br />
            {t('phone')}: <a href={`tel:${a.phone}`}>{a.phone}</a>
          </address>
          <h2>{t('payment')}</h2>
          <p>
            {order.paymentMethod ? METHODS[order.paymentMethod] : '–'} · {order.paymentStatus === 'paid' ? t('paid') : t('unpaid')}
          </p>
        </article>
      </div>

      {(order.status === 'pending' || order.status === 'processing') && (
        <article class="panel actions-panel">
          {order.status === 'pending' && (
            <button type="button" disabled={busy} onClick={() => setAsking({ to: 'processing', text: t('confirmProcess', { number: order.number }) })}>
              {t('process')}
            </button>
          )}
          {order.status === 'processing' && (
            <div class="row wrap end-align">
              <Field label={t('trackingNumber')} value={tracking} onValue={setTracking} error={errors.trackingNumber} autocomplete="off" />
              <button type="button" disabled={busy} onClick={shipRequested}>
                {t('ship')}
              </button>
            </div>
          )}
          <div class="row wrap end-align">
            <Field label={t('cancelReason')} value={reason} onValue={setReason} error={errors.reason} />
            <button type="button" class="danger" disabled={busy} onClick={() => setAsking({ to: 'cancelled', text: t('confirmCancel', { number: order.number }) })}>
              {t('cancel')}
            </button>
          </div>
        </article>
      )}

      {order.status === 'shipped' && (
        <article class="panel actions-panel">
          <button type="button" disabled={busy} onClick={() => setAsking({ to: 'delivered', text: t('confirmDeliver', { number: order.number }) })}>
            {t('deliver')}
          </button>
        </article>
      )}

      <article class="panel">
        <h2>{t('statusHistory')}</h2>
        <ol class="timeline">
          {(order.history ?? []).map((e, i) => (
            <li key={i}>
              <strong>{t(e.to)}</strong> · {formatStoreTime(e.at)} · {t(ACTORS[e.actor])}
              {e.note && <span class="hint"> · {e.note}</span>}
            </li>
          ))}
        </ol>
      </article>
      {asking && <Confirm text={asking.text} onConfirm={() => move(asking)} onClose={() => setAsking(null)} />}
    </section>
  );
}

export default function Orders({ path }: ScreenProps) {
  return path[1] ? <OrderDetail key={path[1]} id={path[1]} /> : <OrderList />;
}

import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api, fieldErrors } from '../api.ts';
import { formatStoreTime, t, type Key } from '../i18n.ts';
import { CardTable, Field, NoticeBar, PagedTable, statusMessage, showAnswer, useDebounced, type Notice, type Page } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

type Row = components['schemas']['InventoryRow'];
type Movement = components['schemas']['StockMovement'];

const variantName = (row: Row) => {
  const options = Object.values(row.options).join(' / ');
  return options ? `${row.title} – ${options}` : row.title;
};

const REASONS: Record<Movement['reason'], Key> = { manual: 'reasonManual', sale: 'reasonSale', cancellation: 'reasonCancellation' };

/** A row's stock field: its error below it, tied by aria-describedby. */
function StockInput({ row, value, error, onValue }: { row: Row; value: string; error?: string; onValue: (value: string) => void }) {
  const id = `stock-${row.variantId}`;
  return (
    <>
      <input
        id={id}
        class="stock-input"
        inputMode="numeric"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-e` : undefined}
      />
      {error && (
        <p id={`${id}-e`} class="field-error">
          {error}
        </p>
      )}
    </>
  );
}

function History({ row, onClose }: { row: Row; onClose: () => void }) {
  const [items, setItems] = useState<Movement[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api
      .GET('/seller/inventory/{variantId}/history', { params: { path: { variantId: row.variantId }, query: { pageSize: 50 } } })
      .then(({ data }) => (data ? setItems(data.items) : setFailed(true)))
      .catch(() => setFailed(true));
  }, [row.variantId]);
  const heading = t('historyOf', { name: variantName(row) });
  return (
    <section class="panel history" aria-label={heading}>
      <div class="row between">
        <h2>{heading}</h2>
        <button type="button" class="secondary" onClick={onClose}>
          {t('close')}
        </button>
      </div>
      {failed ? (
        <p role="alert">{t('serverError')}</p>
      ) : !items ? (
        <p aria-live="polite">{t('loading')}</p>
      ) : items.length === 0 ? (
        <p class="empty">{t('nothingYet')}</p>
      ) : (
        <CardTable
          rows={items}
          rowKey={(_, i) => i}
          columns={[
            { label: t('when'), cell: (m) => formatStoreTime(m.at) },
            { label: t('change'), cell: (m) => (m.change > 0 ? `+${m.change}` : m.change) },
            { label: t('stock'), cell: (m) => `${m.oldStock} → ${m.newStock}` },
            { label: t('status'), cell: (m) => `${t(REASONS[m.reason])}${m.orderNumber ? ` · ${m.orderNumber}` : ''}` },
          ]}
        />
      )}
    </section>
  );
}

export default function Inventory(_: ScreenProps) {
  const [q, setQ] = useState('');
  const [lowOnly, setLowOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Page<Row> | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState<Row | null>(null);
  const query = useDebounced(q);

  const load = () => showAnswer(api.GET('/seller/inventory', { params: { query: { q: query || undefined, status: lowOnly ? 'low' : undefined, page, pageSize: 50 } } }), setList, setNotice);
  useEffect(() => {
    load();
  }, [query, lowOnly, page]);

  const changed = Object.entries(edits).filter(([variantId, value]) => list?.items.find((r) => r.variantId === variantId)?.stock !== Number(value));

  /** One request for every edited row: the API applies all of them or none. */
  const saveAll = async () => {
    setNotice(null);
    setErrors({});
    const local: Record<string, string> = {};
    for (const [variantId, value] of changed) if (!/^\s*\d+\s*$/.test(value)) local[variantId] = t('fixFields');
    if (Object.keys(local).length) {
      setErrors(local);
      setNotice({ kind: 'error', text: t('fixFields') });
      return;
    }
    if (changed.length === 0) {
      setNotice({ kind: 'ok', text: t('noChanges') });
      return;
    }
    setBusy(true);
    try {
      // expectedStock: a sale since the page loaded refuses the batch instead of being overwritten
      const items = changed.map(([variantId, value]) => ({ variantId, stock: Number(value), expectedStock: list!.items.find((r) => r.variantId === variantId)!.stock }));
      const { data, error, response } = await api.PATCH('/seller/inventory', { body: { items } });
      if (response.status === 409) {
        const current = (error as { currentStock?: Array<{ variantId: string; stock: number }> }).currentStock ?? [];
        setErrors(Object.fromEntries(current.map((c) => [c.variantId, t('soldMeanwhile', { stock: c.stock })])));
        setNotice({ kind: 'error', text: t('stockMoved') });
        // fresh numbers under the seller's own edits, which stay in the fields
        await load();
        return;
      }
      if (!data) {
        const byPointer = fieldErrors(error, '/items/');
        setErrors(Object.fromEntries(Object.entries(byPointer).map(([pointer, message]) => [items[Number(pointer.split('/')[0])]?.variantId, message])));
        setNotice({ kind: 'error', text: (error as { detail?: string })?.detail ?? statusMessage(response.status) });
        return;
      }
      setEdits({});
      setNotice({ kind: 'ok', text: t('stockSaved', { n: data.items.length }) });
      await load();
    } catch {
      setNotice({ kind: 'error', text: t('offline') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div class="row between wrap">
        <h1>{t('inventoryTitle')}</h1>
        <button type="button" onClick={saveAll} disabled={busy}>
          {busy ? t('working') : t('saveAll')}
        </button>
      </div>
      <div class="filters row wrap">
        <Field label={t('searchInventory')} type="search" value={q} onValue={(v) => (setQ(v), setPage(1))} />
        <label class="check">
          <input type="checkbox" checked={lowOnly} onChange={(e) => (setLowOnly(e.currentTarget.checked), setPage(1))} /> {t('lowOnly')}
        </label>
      </div>
      <NoticeBar notice={notice} />
      <PagedTable
        list={list}
        empty={query || lowOnly ? t('noMatch') : t('noInventory')}
        page={page}
        onPage={setPage}
        class="inventory"
        rowKey={(row) => row.variantId}
        rowClass={(row) => `stock-${row.status}`}
        columns={[
          {
            label: t('variant'),
            cell: (row) => (
              <label for={`stock-${row.variantId}`}>
                <span class="sr-only">{t('stock')} </span>
                {variantName(row)}
              </label>
            ),
          },
          { label: t('sku'), cell: (row) => row.sku },
          { label: t('stock'), cell: (row) => <StockInput row={row} value={edits[row.variantId] ?? String(row.stock)} error={errors[row.variantId]} onValue={(v) => setEdits({ ...edits, [row.variantId]: v })} /> },
          { label: t('status'), cell: (row) => <span class={`badge ${row.status}`}>{t(row.status)}</span> },
          {
            label: t('history'),
            actions: true,
            cell: (row) => (
              <button type="button" class="secondary" aria-label={`${t('history')} ${variantName(row)}`} onClick={() => setHistory(row)}>
                {t('history')}
              </button>
            ),
          },
        ]}
      />
      {history && <History key={history.variantId} row={history} onClose={() => setHistory(null)} />}
    </section>
  );
}

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors } from './api.ts';
import { t } from './i18n.ts';

let nextId = 0;
const useId = () => useRef(`f${++nextId}`).current;

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'onInput' | 'value'> & {
  label: ComponentChildren;
  error?: string;
  hint?: string;
  value: string | number;
  onValue: (value: string) => void;
};

/** A labelled input with its error below it, tied by aria-describedby. */
export function Field({ label, error, hint, value, onValue, class: cls, ...rest }: InputProps) {
  const id = useId();
  return (
    <div class={`field ${cls ?? ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error || hint ? `${id}-d` : undefined}
        {...rest}
      />
      {(error || hint) && (
        <p id={`${id}-d`} class={error ? 'field-error' : 'hint'}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}

export function TextArea({ label, error, value, onValue }: { label: string; error?: string; value: string; onValue: (v: string) => void }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={4} value={value} onInput={(e) => onValue(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-d` : undefined} />
      {error && <p id={`${id}-d`} class="field-error">{error}</p>}
    </div>
  );
}

export function Select({ label, value, onValue, error, children }: { label: string; value: string; onValue: (v: string) => void; error?: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-d` : undefined}>
        {children}
      </select>
      {error && <p id={`${id}-d`} class="field-error">{error}</p>}
    </div>
  );
}

export type Notice = { kind: 'ok' | 'error'; text: string } | null;

/** Success is announced politely, errors at once. */
export function NoticeBar({ notice }: { notice: Notice }) {
  return (
    <div aria-live="polite" class="notice-slot">
      {notice && (
        <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
    </div>
  );
}

/** What a failed request's status means for the seller, in words (the API's own detail, where shown, says more). */
export function statusMessage(status: number): string {
  if (status === 0) return t('offline');
  if (status === 429) return t('tooMany');
  if (status >= 500) return t('serverError');
  return t('fixFields');
}

/** Runs a request, shows its outcome and the fields it refused; the form keeps what was typed. */
export function useSubmit() {
  const [notice, setNotice] = useState<Notice>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const run = async (request: () => Promise<{ error?: unknown; response: Response }>, ok: string, prefix = '/') => {
    setBusy(true);
    setNotice(null);
    setErrors({});
    try {
      const { error, response } = await request();
      if (response.ok) setNotice({ kind: 'ok', text: ok });
      else {
        setErrors(fieldErrors(error, prefix));
        setNotice({ kind: 'error', text: (error as { detail?: string })?.detail ?? statusMessage(response.status) });
      }
      return response.ok;
    } catch {
      setNotice({ kind: 'error', text: t('offline') });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { notice, errors, busy, run, setNotice, setErrors };
}

/** Shows an answer's body, or says in the notice why there is none (the API's status, or offline). */
export function showAnswer<T>(request: Promise<{ data?: T; response: Response }>, show: (data: T) => void, setNotice: (notice: Notice) => void): Promise<void> {
  return request
    .then(({ data, response }) => (data ? show(data) : setNotice({ kind: 'error', text: statusMessage(response.status) })))
    .catch(() => setNotice({ kind: 'error', text: t('offline') }));
}

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** The row's buttons: the heading is for screen readers only and the card shows no label. */
  actions?: boolean;
}

/** A table that becomes a stack of cards on a phone, each cell labelled with its column. */
export function CardTable<T>({ rows, columns, rowKey, rowClass, class: cls }: { rows: T[]; columns: Array<Column<T>>; rowKey: (row: T, index: number) => string | number; rowClass?: (row: T) => string; class?: string }) {
  return (
    <table class={cls ? `cards ${cls}` : 'cards'}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col">
              {c.actions ? <span class="sr-only">{c.label}</span> : c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={rowKey(row, i)} class={rowClass?.(row)}>
            {columns.map((c) =>
              c.actions ? (
                <td key={c.label} class="actions">
                  {c.cell(row)}
                </td>
              ) : (
                <td key={c.label} data-label={c.label}>
                  {c.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface Page<T> {
  items: T[];
  total: number;
  pageSize: number;
}

/** One page of a seller's list: loading, empty (saying why), or its cards, then the pager. */
export function PagedTable<T>({ list, empty, page, onPage, ...table }: { list: Page<T> | null; empty: string; page: number; onPage: (page: number) => void } & Omit<Parameters<typeof CardTable<T>>[0], 'rows'>) {
  if (!list) return <p aria-live="polite">{t('loading')}</p>;
  return (
    <>
      {list.items.length === 0 ? <p class="empty">{empty}</p> : <CardTable rows={list.items} {...table} />}
      <Pager page={page} pageSize={list.pageSize} total={list.total} onPage={onPage} />
    </>
  );
}

/** A modal question before anything that cannot be undone; Escape or "No" keeps things as they are. */
export function Confirm({ text, children, onConfirm, onClose }: { text: string; children?: ComponentChildren; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-text" onClose={onClose}>
      <p id="confirm-text">{text}</p>
      {children}
      <div class="row end">
        <button type="button" class="secondary" onClick={() => ref.current?.close()}>
          {t('keep')}
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            onConfirm();
            ref.current?.close();
          }}
        >
          {t('confirm')}
        </button>
      </div>
    </dialog>
  );
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={t('pageOf', { page, pages })}>
      <button type="button" class="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('prev')}
      </button>
      <span>{t('pageOf', { page, pages })}</span>
      <button type="button" class="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('next')}
      </button>
    </nav>
  );
}

/** Waits a little after typing stops, so a search box does not query on every key. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link({ href, children, ...rest }: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return (
    <a
      href={href}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}

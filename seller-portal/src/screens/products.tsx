import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { formatRupiah } from '@pasar/openapi/format';
import { api, fieldErrors, uploadFile } from '../api.ts';
import { currentLang, t } from '../i18n.ts';
import { Confirm, Field, Link, NoticeBar, PagedTable, Select, TextArea, navigate, statusMessage, showAnswer, useDebounced, type Notice, type Page } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

type Product = components['schemas']['SellerProduct'];
type Category = components['schemas']['Category'];
type Image = components['schemas']['ProductImage'];
type Status = 'draft' | 'active' | 'archived';

function useCategories(): Category[] {
  const [items, setItems] = useState<Category[]>([]);
  useEffect(() => {
    api.GET('/categories').then(({ data }) => data && setItems(data.items)).catch(() => undefined);
  }, []);
  return items;
}

/** Children indented under their parents, in the API's tree order. */
function CategoryOptions({ categories }: { categories: Category[] }) {
  const depth = (c: Category): number => (c.parentId ? 1 + depth(categories.find((p) => p.id === c.parentId) ?? { ...c, parentId: null }) : 0);
  return (
    <>
      {categories.map((c) => (
        <option key={c.id} value={c.id}>
          {'\u00a0\u00a0'.repeat(depth(c))}
          {currentLang() === 'en' ? c.nameEn : c.nameId}
        </option>
      ))}
    </>
  );
}

function ProductList() {
  const categories = useCategories();
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [status, setStatus] = useState(params.get('status') ?? '');
  const [categoryId, setCategoryId] = useState('');
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Page<Product> | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [archiving, setArchiving] = useState<Product | null>(null);
  const query = useDebounced(q);

  const load = () =>
    showAnswer(
      api.GET('/seller/products', {
        params: { query: { q: query || undefined, status: (status || undefined) as Status | undefined, categoryId: categoryId || undefined, page, pageSize: 20 } },
      }),
      setList,
      setNotice,
    );
  useEffect(() => {
    load();
  }, [query, status, categoryId, page]);

  const archive = async (product: Product) => {
    const { response } = await api.PATCH('/seller/products/{id}', { params: { path: { id: product.id } }, body: { status: 'archived' } });
    setNotice(response.ok ? { kind: 'ok', text: t('archivedDone') } : { kind: 'error', text: statusMessage(response.status) });
    load();
  };

  const filtered = Boolean(query || status || categoryId);
  return (
    <section>
      <div class="row between wrap">
        <h1>{t('products')}</h1>
        <Link href="/products/new" class="button">
          {t('addProduct')}
        </Link>
      </div>
      <div class="filters row wrap">
        <Field label={t('searchProducts')} type="search" value={q} onValue={(v) => (setQ(v), setPage(1))} />
        <Select label={t('status')} value={status} onValue={(v) => (setStatus(v), setPage(1))}>
          <option value="">{t('allStatuses')}</option>
          <option value="active">{t('active')}</option>
          <option value="draft">{t('draft')}</option>
          <option value="archived">{t('archived')}</option>
        </Select>
        <Select label={t('category')} value={categoryId} onValue={(v) => (setCategoryId(v), setPage(1))}>
          <option value="">{t('allCategories')}</option>
          <CategoryOptions categories={categories} />
        </Select>
      </div>
      <NoticeBar notice={notice} />
      <PagedTable
        list={list}
        empty={filtered ? t('noMatch') : t('noProducts')}
        page={page}
        onPage={setPage}
        rowKey={(p) => p.id}
        columns={[
          {
            label: t('title'),
            cell: (p) => (
              <div class="row">
                {p.images[0] ? <img src={p.images[0].thumbnailUrl} alt="" width={40} height={40} class="thumb" /> : <span class="thumb" />}
                <Link href={`/products/${p.id}`}>{p.title}</Link>
              </div>
            ),
          },
          { label: t('status'), cell: (p) => <span class={`badge ${p.status}`}>{t(p.status)}</span> },
          { label: t('price'), cell: (p) => (p.priceMin === p.priceMax ? formatRupiah(p.priceMin) : `${formatRupiah(p.priceMin)} – ${formatRupiah(p.priceMax)}`) },
          { label: t('stock'), cell: (p) => p.variants.reduce((n, v) => n + v.stock, 0) },
          {
            label: t('edit'),
            actions: true,
            cell: (p) => (
              <>
                <Link href={`/products/${p.id}`} class="button secondary" aria-label={`${t('edit')} ${p.title}`}>
                  {t('edit')}
                </Link>
                {p.status !== 'archived' && (
                  <button type="button" class="secondary" aria-label={`${t('archive')} ${p.title}`} onClick={() => setArchiving(p)}>
                    {t('archive')}
                  </button>
                )}
              </>
            ),
          },
        ]}
      />
      {archiving && <Confirm text={t('archiveConfirm', { title: archiving.title })} onConfirm={() => archive(archiving)} onClose={() => setArchiving(null)} />}
    </section>
  );
}

interface OptionRow {
  name: string;
  values: string;
}
interface VariantRow {
  id?: string;
  price: string;
  stock: string;
  sku: string;
  /** the stock the server had when the form loaded: edits of existing variants go through the inventory */
  loadedStock?: number;
}
interface QueuedPhoto {
  key: number;
  file: File;
  preview: string;
  progress: number | null;
  error?: string;
}

const splitValues = (values: string) => [...new Set(values.split(',').map((v) => v.trim()).filter(Boolean))];

/** Every combination of the options' values, in order: [{Warna: Merah, Ukuran: S}, …]; one empty combination without options. */
function combinations(options: OptionRow[]): Array<Record<string, string>> {
  return options
    .filter((o) => o.name.trim() && splitValues(o.values).length)
    .reduce<Array<Record<string, string>>>((combos, o) => combos.flatMap((c) => splitValues(o.values).map((v) => ({ ...c, [o.name.trim()]: v }))), [{}]);
}
const comboLabel = (combo: Record<string, string>) => Object.values(combo).join(' / ');
const comboKey = (combo: Record<string, string>) => JSON.stringify(Object.values(combo));

function photoError(status: number, body: any): string {
  const message = body?.errors?.[0]?.message ?? body?.detail ?? body?.title;
  return `${t('photoFailed')} (${status})${message ? `: ${message}` : ''}`;
}

/** What a create hands to the edit page it opens: its message and any photo that failed. */
let carried: { notice: Notice; queue: QueuedPhoto[] } | null = null;

function ProductForm({ id }: { id?: string }) {
  const handed = id ? carried : null;
  if (id) carried = null;
  const categories = useCategories();
  const [loaded, setLoaded] = useState(!id);
  const [etag, setEtag] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [categoryId, setCategoryId] = useState('');
  const [status, setStatus] = useState<Status>('draft');
  const [specs, setSpecs] = useState<Array<{ label: string; value: string }>>([]);
  const [options, setOptions] = useState<OptionRow[]>([]);
  const [variants, setVariants] = useState<Record<string, VariantRow>>({});
  const [bulk, setBulk] = useState({ price: '', stock: '' });
  const [images, setImages] = useState<Image[]>([]);
  const [queue, setQueue] = useState<QueuedPhoto[]>(handed?.queue ?? []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(handed?.notice ?? null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [deleting, setDeleting] = useState<Image | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const photoKey = useRef(0);

  const fill = (p: Product, tag: string | null) => {
    setEtag(tag);
    setTitle(p.title);
    setDescription(p.description);
    setCategoryId(p.categoryId);
    setStatus(p.status);
    setSpecs(p.specifications);
    setOptions(p.options.map((o) => ({ name: o.name, values: o.values.join(', ') })));
    setVariants(
      Object.fromEntries(
        p.variants.map((v) => [
          JSON.stringify(p.options.map((o) => v.options[o.name])),
          { id: v.id, price: String(v.price), stock: String(v.stock), sku: v.sku, loadedStock: v.stock },
        ]),
      ),
    );
    setImages(p.images);
    setStale(false);
    setLoaded(true);
  };

  const load = async () => {
    if (!id) return;
    const { data, response } = await api.GET('/seller/products/{id}', { params: { path: { id } } });
    if (data) fill(data, response.headers.get('ETag'));
    else setNotice({ kind: 'error', text: statusMessage(response.status) });
  };
  useEffect(() => {
    load().catch(() => setNotice({ kind: 'error', text: t('offline') }));
  }, [id]);

  const combos = combinations(options);
  const rowOf = (combo: Record<string, string>): VariantRow => variants[comboKey(combo)] ?? { price: '', stock: '', sku: '' };
  const setRow = (combo: Record<string, string>, patch: Partial<VariantRow>) => setVariants({ ...variants, [comboKey(combo)]: { ...rowOf(combo), ...patch } });

  const applyToAll = () => {
    const next = { ...variants };
    for (const combo of combos) {
      const row = rowOf(combo);
      next[comboKey(combo)] = { ...row, ...(bulk.price !== '' ? { price: bulk.price } : {}), ...(bulk.stock !== '' ? { stock: bulk.stock } : {}) };
    }
    setVariants(next);
  };

  /** Uploads one photo with progress; a refusal (wrong type, over 5 MB) stays on the photo. */
  const uploadOne = async (productId: string, photo: QueuedPhoto): Promise<Image | string> => {
    const update = (patch: Partial<QueuedPhoto>) => setQueue((q) => q.map((p) => (p.key === photo.key ? { ...p, ...patch } : p)));
    update({ progress: 0, error: undefined });
    let error = t('offline');
    try {
      const answer = await uploadFile(`/seller/products/${productId}/images`, photo.file, (fraction) => update({ progress: Math.round(fraction * 100) }));
      if (answer.status === 201) {
        setQueue((q) => q.filter((p) => p.key !== photo.key));
        URL.revokeObjectURL(photo.preview);
        return answer.body as Image;
      }
      error = photoError(answer.status, answer.body);
    } catch {
      // offline
    }
    update({ progress: null, error });
    return error;
  };

  /** One after another, in the order chosen; answers the photos that failed, with their error. */
  const uploadAll = async (productId: string, photos: QueuedPhoto[]): Promise<QueuedPhoto[]> => {
    const failed: QueuedPhoto[] = [];
    for (const photo of photos) {
      const result = await uploadOne(productId, photo);
      if (typeof result === 'string') failed.push({ ...photo, progress: null, error: result });
      else setImages((list) => [...list, result]);
    }
    return failed;
  };

  const addFiles = (files: FileList | null) => {
    if (!files?.length) return;
    const added = [...files].map((file) => ({ key: ++photoKey.current, file, preview: URL.createObjectURL(file), progress: null }));
    setQueue((q) => [...q, ...added]);
    if (id) uploadAll(id, added);
  };

  const moveImage = async (index: number, by: number) => {
    if (!id) return;
    const order = images.map((i) => i.id);
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved);
    const { data, response } = await api.PUT('/seller/products/{id}/images/order', { params: { path: { id } }, body: { imageIds: order } });
    if (data) setImages(data.items);
    else setNotice({ kind: 'error', text: statusMessage(response.status) });
  };

  const deleteImage = async (image: Image) => {
    if (!id) return;
    const { response } = await api.DELETE('/seller/products/{id}/images/{imageId}', { params: { path: { id, imageId: image.id } } });
    if (response.ok) setImages((list) => list.filter((i) => i.id !== image.id));
    else setNotice({ kind: 'error', text: statusMessage(response.status) });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setNotice(null);
    const int = (v: string) => (/^\s*\d+\s*$/.test(v) ? Number(v) : NaN);
    const local: Record<string, string> = {};
    const variantBody = combos.map((combo, i) => {
      const row = rowOf(combo);
      const price = int(row.price);
      const stock = int(row.stock);
      if (!Number.isInteger(price) || price < 0) local[`/variants/${i}/price`] = currentLang() === 'en' ? 'enter a whole rupiah amount' : 'isi harga dalam rupiah (angka bulat)';
      if (!Number.isInteger(stock) || stock < 0) local[`/variants/${i}/stock`] = currentLang() === 'en' ? 'enter a whole number, 0 or more' : 'isi angka bulat, 0 atau lebih';
      return {
        ...(row.id ? { id: row.id } : {}),
        options: combo,
        price,
        // an existing variant keeps its stock here; a changed count goes through the inventory below
        stock: row.id && row.loadedStock !== undefined ? row.loadedStock : stock,
        ...(row.sku.trim() ? { sku: row.sku.trim() } : {}),
      };
    });
    if (Object.keys(local).length) {
      setErrors(local);
      setNotice({ kind: 'error', text: t('fixFields') });
      setBusy(false);
      return;
    }
    const body = {
      title,
      description,
      categoryId,
      status,
      specifications: specs.filter((s) => s.label.trim() || s.value.trim()),
      options: options.filter((o) => o.name.trim()).map((o) => ({ name: o.name.trim(), values: splitValues(o.values) })),
      variants: variantBody,
    };
    try {
      if (!id) {
        const { data, error, response } = await api.POST('/seller/products', { body: { ...body, status: status === 'archived' ? 'draft' : status } });
        if (!data) {
          setErrors(fieldErrors(error));
          setNotice({ kind: 'error', text: (error as { detail?: string })?.detail ?? statusMessage(response.status) });
          return;
        }
        // the photos chosen before the first save go up right after it
        // photos that failed stay on the edit page with their error
        carried = { notice: { kind: 'ok', text: t('productSaved') }, queue: await uploadAll(data.id, queue) };
        navigate(`/products/${data.id}`);
        return;
      }
      // the ETag the form was loaded with: a product changed meanwhile (an edit, a sale) answers 412
      const { data, error, response } = await api.PATCH('/seller/products/{id}', {
        params: { path: { id }, header: etag ? { 'If-Match': etag } : {} },
        body,
      });
      if (response.status === 412) {
        setStale(true);
        setNotice({ kind: 'error', text: t('stale') });
        return;
      }
      if (!data) {
        setErrors(fieldErrors(error));
        setNotice({ kind: 'error', text: (error as { detail?: string })?.detail ?? statusMessage(response.status) });
        return;
      }
      const stockChanges = combos
        .map((combo) => rowOf(combo))
        .filter((row) => row.id && row.loadedStock !== undefined && Number(row.stock) !== row.loadedStock)
        .map((row) => ({ variantId: row.id!, stock: Number(row.stock), expectedStock: row.loadedStock }));
      if (stockChanges.length) {
        const answer = await api.PATCH('/seller/inventory', { body: { items: stockChanges } });
        if (!answer.data) {
          setNotice({ kind: 'error', text: (answer.error as { detail?: string })?.detail ?? statusMessage(answer.response.status) });
          return;
        }
      }
      await load();
      setNotice({ kind: 'ok', text: t('productSaved') });
    } catch {
      setNotice({ kind: 'error', text: t('offline') });
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) return <p aria-live="polite">{t('loading')}</p>;
  const single = combos.length === 1 && Object.keys(combos[0]).length === 0;
  return (
    <form class="product-form" onSubmit={save} noValidate>
      <div class="row between wrap">
        <h1>{id ? t('editProduct') : t('addProduct')}</h1>
        <Link href="/products">{t('back')}</Link>
      </div>
      <div class="panel">
        <Field label={t('title')} required value={title} onValue={setTitle} error={errors['/title']} />
        <TextArea label={t('description')} value={description} onValue={setDescription} error={errors['/description']} />
        <div class="row wrap">
          <Select label={t('category')} value={categoryId} onValue={setCategoryId} error={errors['/categoryId']}>
            <option value="">{t('chooseCategory')}</option>
            <CategoryOptions categories={categories} />
          </Select>
          <Select label={t('status')} value={status} onValue={(v) => setStatus(v as Status)} error={errors['/status']}>
            <option value="draft">{t('draft')}</option>
            <option value="active">{t('active')}</option>
            {id && <option value="archived">{t('archived')}</option>}
          </Select>
        </div>
      </div>

      <fieldset class="panel">
        <legend>{t('photos')}</legend>
        <div
          class={`dropzone ${dragging ? 'over' : ''}`}
          onDragOver={(e) => (e.preventDefault(), setDragging(true))}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            addFiles(e.dataTransfer?.files ?? null);
          }}
        >
          <p>{t('dropPhotos')}</p>
          <label class="button secondary">
            {t('choosePhotos')}
            <input ref={fileInput} type="file" accept="image/jpeg,image/png" multiple class="sr-only" onChange={(e) => (addFiles(e.currentTarget.files), (e.currentTarget.value = ''))} />
          </label>
          {!id && queue.length > 0 && <p class="hint">{t('photosAfterSave')}</p>}
        </div>
        <ul class="photos">
          {images.map((image, i) => (
            <li
              key={image.id}
              class="photo"
              draggable
              // a photo dragged onto another takes its place (the arrow buttons do the same by keyboard)
              onDragStart={(e) => e.dataTransfer?.setData('text/x-pasar-photo', String(i))}
              onDragOver={(e) => e.dataTransfer?.types.includes('text/x-pasar-photo') && e.preventDefault()}
              onDrop={(e) => {
                const from = Number(e.dataTransfer?.getData('text/x-pasar-photo'));
                if (!e.dataTransfer?.types.includes('text/x-pasar-photo') || from === i) return;
                e.preventDefault();
                moveImage(from, i - from);
              }}
            >
              <img src={image.thumbnailUrl} alt={`${t('photos')} ${i + 1}`} width={120} height={120} />
              <div class="row">
                <button type="button" class="icon" disabled={i === 0} aria-label={t('moveLeft', { n: i + 1 })} onClick={() => moveImage(i, -1)}>
                  ←
                </button>
                <button type="button" class="icon" disabled={i === images.length - 1} aria-label={t('moveRight', { n: i + 1 })} onClick={() => moveImage(i, 1)}>
                  →
                </button>
                <button type="button" class="icon danger" aria-label={t('deletePhoto', { n: i + 1 })} onClick={() => setDeleting(image)}>
                  ✕
                </button>
              </div>
            </li>
          ))}
          {queue.map((photo) => (
            <li key={photo.key} class={`photo ${photo.error ? 'failed' : ''}`}>
              <img src={photo.preview} alt={photo.file.name} width={120} height={120} />
              {photo.progress !== null && (
                <progress max={100} value={photo.progress} aria-label={t('uploading', { pct: photo.progress })}>
                  {photo.progress}%
                </progress>
              )}
              {photo.error && (
                <p class="field-error" role="alert">
                  {photo.error}
                </p>
              )}
              <button
                type="button"
                class="icon danger"
                aria-label={`${t('remove')} ${photo.file.name}`}
                onClick={() => setQueue((q) => q.filter((p) => p.key !== photo.key))}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      </fieldset>

      <fieldset class="panel">
        <legend>{t('options')}</legend>
        {options.map((option, i) => (
          <div class="row wrap option" key={i}>
            <Field
              label={t('optionName')}
              value={option.name}
              onValue={(v) => setOptions(options.map((o, j) => (j === i ? { ...o, name: v } : o)))}
              error={errors[`/options/${i}/name`]}
            />
            <Field
              label={t('optionValues')}
              hint={t('optionValuesHint')}
              value={option.values}
              onValue={(v) => setOptions(options.map((o, j) => (j === i ? { ...o, values: v } : o)))}
              error={errors[`/options/${i}/values`]}
            />
            <button type="button" class="secondary" onClick={() => setOptions(options.filter((_, j) => j !== i))}>
              {t('removeOption')}
            </button>
          </div>
        ))}
        {options.length < 3 && (
          <button type="button" class="secondary" onClick={() => setOptions([...options, { name: '', values: '' }])}>
            {t('addOption')}
          </button>
        )}
        {!single && (
          <div class="row wrap bulk">
            <Field label={t('priceForAll')} inputMode="numeric" value={bulk.price} onValue={(v) => setBulk({ ...bulk, price: v })} />
            <Field label={t('stockForAll')} inputMode="numeric" value={bulk.stock} onValue={(v) => setBulk({ ...bulk, stock: v })} />
            <button type="button" class="secondary" onClick={applyToAll}>
              {t('applyToAll')}
            </button>
          </div>
        )}
        <div class="variants">
          {combos.map((combo, i) => {
            const label = comboLabel(combo);
            const row = rowOf(combo);
            const name = (key: 'price' | 'stock' | 'sku') => (label ? `${t(key)} ${label}` : t(key));
            return (
              <div class="variant row wrap" key={comboKey(combo)}>
                {label && <p class="variant-name">{label}</p>}
                <Field label={name('price')} inputMode="numeric" value={row.price} onValue={(v) => setRow(combo, { price: v })} error={errors[`/variants/${i}/price`] ?? errors[`/variants/${i}/options`]} />
                <Field label={name('stock')} inputMode="numeric" value={row.stock} onValue={(v) => setRow(combo, { stock: v })} error={errors[`/variants/${i}/stock`]} />
                <Field label={name('sku')} value={row.sku} onValue={(v) => setRow(combo, { sku: v })} error={errors[`/variants/${i}/sku`]} />
              </div>
            );
          })}
        </div>
        {errors['/variants'] && <p class="field-error">{errors['/variants']}</p>}
      </fieldset>

      <fieldset class="panel">
        <legend>{t('specifications')}</legend>
        {specs.map((spec, i) => (
          <div class="row wrap" key={i}>
            <Field label={t('specLabel', { n: i + 1 })} value={spec.label} onValue={(v) => setSpecs(specs.map((s, j) => (j === i ? { ...s, label: v } : s)))} error={errors[`/specifications/${i}/label`]} />
            <Field label={t('specValue', { n: i + 1 })} value={spec.value} onValue={(v) => setSpecs(specs.map((s, j) => (j === i ? { ...s, value: v } : s)))} error={errors[`/specifications/${i}/value`]} />
            <button type="button" class="secondary" aria-label={`${t('remove')} ${t('specLabel', { n: i + 1 })}`} onClick={() => setSpecs(specs.filter((_, j) => j !== i))}>
              {t('remove')}
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setSpecs([...specs, { label: '', value: '' }])}>
          {t('addSpec')}
        </button>
      </fieldset>

      <div class="toast">
        <NoticeBar notice={notice} />
      </div>
      <div class="row end">
        {stale && (
          <button type="button" class="secondary" onClick={() => load()}>
            {t('reload')}
          </button>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('working') : t('save')}
        </button>
      </div>
      {deleting && <Confirm text={t('deletePhotoConfirm')} onConfirm={() => deleteImage(deleting)} onClose={() => setDeleting(null)} />}
    </form>
  );
}

export default function Products({ path }: ScreenProps) {
  if (path[1] === 'new') return <ProductForm key="new" />;
  if (path[1]) return <ProductForm key={path[1]} id={path[1]} />;
  return <ProductList />;
}

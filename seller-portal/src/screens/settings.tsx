import { useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api, uploadFile } from '../api.ts';
import { t } from '../i18n.ts';
import { RegionPicker } from '../regions.tsx';
import { Confirm, Field, NoticeBar, TextArea, statusMessage, useSubmit } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

/** The logo goes up as soon as it is chosen, with progress; the API's refusal shows under it. */
function LogoField({ me, setMe }: ScreenProps) {
  const store = me.store!;
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const setStore = (next: components['schemas']['Store'] | null) => setMe({ ...me, store: next ?? { ...store, logoUrl: undefined } });
  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const answer = await uploadFile('/seller/store/logo', file, (f) => setProgress(Math.round(f * 100)), 'PUT');
      if (answer.status === 200) setStore(answer.body);
      else setError(`${t('photoFailed')} (${answer.status})${answer.body?.errors?.[0]?.message ? `: ${answer.body.errors[0].message}` : ''}`);
    } catch {
      setError(t('offline'));
    } finally {
      setProgress(null);
    }
  };
  const remove = async () => {
    const { response } = await api.DELETE('/seller/store/logo');
    if (response.ok) setStore(null);
    else setError(statusMessage(response.status));
  };
  return (
    <div class="field logo">
      {store.logoUrl ? <img src={store.logoUrl} alt={t('logo')} width={96} height={96} /> : <span class="logo-empty" aria-hidden="true">{store.name.slice(0, 1)}</span>}
      <div class="field">
        <span class="label">{t('logo')}</span>
        <label class="button secondary">
          {t('chooseLogo')}
          <input
            type="file"
            class="sr-only"
            accept="image/jpeg,image/png"
            aria-describedby={error ? 'logo-error' : undefined}
            onChange={(e) => (choose(e.currentTarget.files?.[0]), (e.currentTarget.value = ''))}
          />
        </label>
        {progress !== null && <progress max={100} value={progress} aria-label={t('uploading', { pct: progress })} />}
        {error && (
          <p id="logo-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        {store.logoUrl && (
          <button type="button" class="secondary" onClick={() => setRemoving(true)}>
            {t('removeLogo')}
          </button>
        )}
      </div>
      {removing && <Confirm text={t('removeLogoConfirm')} onConfirm={remove} onClose={() => setRemoving(false)} />}
    </div>
  );
}

function StoreForm({ me, setMe }: ScreenProps) {
  const store = me.store!;
  const [form, setForm] = useState({ name: store.name, provinceCode: store.provinceCode ?? '', cityCode: store.cityCode ?? '', description: store.description });
  const { notice, errors, busy, run } = useSubmit();
  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const { name, cityCode, description } = form;
      const answer = await api.PATCH('/me', { body: { store: { name, description, ...(cityCode ? { cityCode } : {}) } } });
      if (answer.data) setMe(answer.data);
      return answer;
    }, t('saved'), '/store/');
  };
  return (
    <form class="panel" onSubmit={submit} noValidate>
      <h2>{t('storeSettings')}</h2>
      <LogoField me={me} setMe={setMe} path={[]} />
      <Field label={t('storeName')} value={form.name} onValue={(v) => setForm({ ...form, name: v })} error={errors.name} />
      {!store.cityCode && <p class="hint">{t('city')}: {store.location}</p>}
      <RegionPicker province={form.provinceCode} city={form.cityCode} onChange={(provinceCode, cityCode) => setForm({ ...form, provinceCode, cityCode })} error={errors.cityCode ?? errors.location} />
      <TextArea label={t('description')} value={form.description} onValue={(v) => setForm({ ...form, description: v })} error={errors.description} />
      <NoticeBar notice={notice} />
      <button type="submit" disabled={busy}>
        {busy ? t('working') : t('save')}
      </button>
    </form>
  );
}

function ProfileForm({ me, setMe }: ScreenProps) {
  const [name, setName] = useState(me.user.name);
  const { notice, errors, busy, run } = useSubmit();
  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const answer = await api.PATCH('/me', { body: { name } });
      if (answer.data) setMe(answer.data);
      return answer;
    }, t('saved'));
  };
  return (
    <form class="panel" onSubmit={submit} noValidate>
      <h2>{t('profile')}</h2>
      <Field label={t('yourName')} value={name} onValue={setName} error={errors.name} autocomplete="name" />
      <p class="hint">
        {t('email')}: {me.user.email}
      </p>
      <NoticeBar notice={notice} />
      <button type="submit" disabled={busy}>
        {busy ? t('working') : t('save')}
      </button>
    </form>
  );
}

function PasswordForm() {
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' });
  const { notice, errors, busy, run, setNotice } = useSubmit();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(() => api.POST('/me/password', { body: form }), t('passwordChanged'));
    if (ok) setForm({ currentPassword: '', newPassword: '' });
    else if (errors.currentPassword) setNotice({ kind: 'error', text: t('wrongPassword') });
  };
  return (
    <form class="panel" onSubmit={submit} noValidate>
      <h2>{t('changePassword')}</h2>
      <Field label={t('currentPassword')} type="password" autocomplete="current-password" value={form.currentPassword} onValue={(v) => setForm({ ...form, currentPassword: v })} error={errors.currentPassword} />
      <Field label={t('newPassword')} type="password" autocomplete="new-password" value={form.newPassword} onValue={(v) => setForm({ ...form, newPassword: v })} error={errors.newPassword} />
      <NoticeBar notice={notice} />
      <button type="submit" disabled={busy}>
        {busy ? t('working') : t('changePassword')}
      </button>
    </form>
  );
}

export default function Settings(props: ScreenProps) {
  return (
    <section>
      <h1>{t('settings')}</h1>
      <div class="two">
        {props.me.store && <StoreForm {...props} />}
        <div>
          <ProfileForm {...props} />
          <PasswordForm />
        </div>
      </div>
    </section>
  );
}

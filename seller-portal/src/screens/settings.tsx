import { useState } from 'preact/hooks';
import { api, fieldErrors } from '../api.ts';
import { t } from '../i18n.ts';
import { Field, NoticeBar, TextArea, problemText, type Notice } from '../ui.tsx';
import type { ScreenProps } from '../main.tsx';

/** Runs a request, shows its outcome and the fields it refused; the form keeps what was typed. */
function useSubmit() {
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
        setNotice({ kind: 'error', text: (error as { detail?: string })?.detail ?? problemText(response.status) });
      }
      return response.ok;
    } catch {
      setNotice({ kind: 'error', text: t('offline') });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { notice, errors, busy, run, setNotice };
}

function StoreForm({ me, setMe }: ScreenProps) {
  const store = me.store!;
  const [form, setForm] = useState({ name: store.name, location: store.location, description: store.description });
  const { notice, errors, busy, run } = useSubmit();
  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const answer = await api.PATCH('/me', { body: { store: form } });
      if (answer.data) setMe(answer.data);
      return answer;
    }, t('saved'), '/store/');
  };
  return (
    <form class="panel" onSubmit={submit} noValidate>
      <h2>{t('storeSettings')}</h2>
      <Field label={t('storeName')} value={form.name} onValue={(v) => setForm({ ...form, name: v })} error={errors.name} />
      <Field label={t('city')} value={form.location} onValue={(v) => setForm({ ...form, location: v })} error={errors.location} />
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

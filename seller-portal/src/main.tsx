import { render, type FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api, fieldErrors, refreshSession, setAccessToken } from './api.ts';
import { currentLang, onLangChange, setLang, setZone, t } from './i18n.ts';
import { RegionPicker } from './regions.tsx';
import { Field, Link, NoticeBar, navigate, statusMessage, type Notice } from './ui.tsx';
import './style.css';

export type Me = components['schemas']['Me'];
export interface ScreenProps {
  me: Me;
  setMe: (me: Me) => void;
  path: string[];
}

/** Everything behind the login loads on demand, so the first page stays small. */
const screens: Record<string, () => Promise<{ default: FunctionComponent<ScreenProps> }>> = {
  '': () => import('./screens/dashboard.tsx'),
  products: () => import('./screens/products.tsx'),
  inventory: () => import('./screens/inventory.tsx'),
  orders: () => import('./screens/orders.tsx'),
  settings: () => import('./screens/settings.tsx'),
};

function Brand() {
  return (
    <p class="brand">
      <span class="mark" aria-hidden="true">P</span> Pasar <span class="tag">{t('brandTag')}</span>
    </p>
  );
}

function LanguagePicker() {
  return (
    <div class="lang" role="group" aria-label={t('language')}>
      {(['id', 'en'] as const).map((l) => (
        <button key={l} type="button" class="link" aria-pressed={currentLang() === l} onClick={() => setLang(l)} lang={l}>
          {l === 'id' ? 'Bahasa Indonesia' : 'English'}
        </button>
      ))}
    </div>
  );
}

async function startSession(accessToken: string): Promise<Me | null> {
  setAccessToken(accessToken);
  const { data } = await api.GET('/me');
  return data ?? null;
}

function AuthScreen({ mode, onSignedIn }: { mode: 'login' | 'register'; onSignedIn: (me: Me) => void }) {
  const [form, setForm] = useState({ name: '', email: '', password: '', storeName: '', province: '', city: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    setErrors({});
    try {
      const query = { refreshToken: 'cookie' as const };
      const { data, error, response } =
        mode === 'login'
          ? await api.POST('/auth/login', { params: { query }, body: { email: form.email, password: form.password } })
          : await api.POST('/auth/register', {
              params: { query },
              body: { email: form.email, password: form.password, name: form.name, role: 'seller', locale: currentLang(), store: { name: form.storeName, ...(form.city ? { cityCode: form.city } : {}) } },
            });
      if (!data) {
        const fields = fieldErrors(error, '/');
        if (fields['store/name']) fields.storeName = fields['store/name'];
        fields.city ??= fields['store/cityCode'] ?? fields['store/location'];
        setErrors(fields);
        const status = response.status;
        setNotice({ kind: 'error', text: mode === 'login' && (status === 400 || status === 401) ? t('wrongLogin') : status === 409 ? t('emailTaken') : statusMessage(status) });
        return;
      }
      if (data.user.role !== 'seller') {
        await api.POST('/auth/logout').catch(() => undefined);
        setNotice({ kind: 'error', text: t('shopperAccount') });
        return;
      }
      const me = await startSession(data.accessToken);
      if (me) onSignedIn(me);
      else setNotice({ kind: 'error', text: t('serverError') });
    } catch {
      setNotice({ kind: 'error', text: t('offline') });
    } finally {
      setBusy(false);
    }
  };

  const register = mode === 'register';
  return (
    <main class="center">
      <form class="card auth" onSubmit={submit} noValidate>
        <Brand />
        <h1>{register ? t('registerTitle') : t('loginTitle')}</h1>
        {!register && <p class="hint">{t('loginHint')}</p>}
        {register && <Field label={t('yourName')} autocomplete="name" required value={form.name} onValue={set('name')} error={errors.name} />}
        <Field label={t('email')} type="email" autocomplete="username" inputMode="email" required value={form.email} onValue={set('email')} error={errors.email} />
        <Field
          label={t('password')}
          type="password"
          autocomplete={register ? 'new-password' : 'current-password'}
          required
          value={form.password}
          onValue={set('password')}
          error={errors.password}
        />
        {register && <Field label={t('storeName')} required value={form.storeName} onValue={set('storeName')} error={errors.storeName} />}
        {register && <RegionPicker province={form.province} city={form.city} onChange={(province, city) => setForm({ ...form, province, city })} error={errors.city} />}
        <NoticeBar notice={notice} />
        <button type="submit" disabled={busy}>
          {busy ? t('working') : register ? t('register') : t('login')}
        </button>
        <p class="hint">
          {register ? t('haveAccount') : t('noAccount')} <Link href={register ? '/login' : '/register'}>{register ? t('login') : t('register')}</Link>
        </p>
        <LanguagePicker />
      </form>
    </main>
  );
}

function Screen({ name, props }: { name: string; props: ScreenProps }) {
  const [loaded, setLoaded] = useState<{ name: string; Component: FunctionComponent<ScreenProps> } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setFailed(false);
    (screens[name] ?? screens[''])()
      .then((m) => setLoaded({ name, Component: m.default }))
      .catch(() => setFailed(true));
  }, [name]);
  if (failed) return <p role="alert">{t('offline')}</p>;
  if (!loaded || loaded.name !== name) return <p aria-live="polite">{t('loading')}</p>;
  return <loaded.Component {...props} />;
}

const NAV = [
  ['', 'dashboard'],
  ['products', 'products'],
  ['inventory', 'inventory'],
  ['orders', 'orders'],
  ['settings', 'settings'],
] as const;

function Shell({ me, setMe, path, onLogout }: ScreenProps & { onLogout: () => void }) {
  const section = screens[path[0] ?? ''] ? (path[0] ?? '') : '';
  return (
    <div class="shell">
      <header class="top">
        <Brand />
        <nav aria-label={t('mainMenu')}>
          {NAV.map(([href, key]) => (
            <Link key={key} href={`/${href}`} aria-current={section === href ? 'page' : undefined}>
              {t(key)}
            </Link>
          ))}
        </nav>
        <div class="account">
          <span class="store-name">{me.store?.name}</span>
          <LanguagePicker />
          <button type="button" class="secondary" onClick={onLogout}>
            {t('logout')}
          </button>
        </div>
      </header>
      <main class="content">
        <Screen name={section} props={{ me, setMe, path }} />
      </main>
    </div>
  );
}

const currentPath = () => location.pathname.split('/').filter(Boolean).map(decodeURIComponent);

function App() {
  const [me, setMeState] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [path, setPath] = useState(currentPath);
  const [, setLangTick] = useState(0);

  const setMe = (next: Me | null) => {
    if (next?.store) setZone(next.store.timezone);
    setMeState(next);
  };

  useEffect(() => onLangChange(() => setLangTick((n) => n + 1)), []);
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    document.documentElement.lang = currentLang();
    // a reload keeps the seller signed in through the httpOnly refresh cookie
    (async () => {
      try {
        if (await refreshSession()) setMe((await api.GET('/me')).data ?? null);
      } catch {
        // the API is unreachable: the login form says so on submit
      } finally {
        setChecking(false);
      }
    })();
  }, []);

  const logout = async () => {
    await api.POST('/auth/logout').catch(() => undefined);
    setAccessToken(null);
    setMe(null);
    navigate('/login');
  };

  if (checking) return <main class="center"><p aria-live="polite">{t('loading')}</p></main>;
  if (!me) {
    return (
      <AuthScreen
        key={path[0]}
        mode={path[0] === 'register' ? 'register' : 'login'}
        onSignedIn={(signedIn) => {
          setMe(signedIn);
          navigate('/');
        }}
      />
    );
  }
  return <Shell me={me} setMe={setMe} path={path[0] === 'login' || path[0] === 'register' ? [] : path} onLogout={logout} />;
}

render(<App />, document.getElementById('app')!);

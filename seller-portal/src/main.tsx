import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api, setAccessToken } from './api.ts';
import './style.css';

type Me = components['schemas']['Me'];

const OFFLINE = 'Tidak dapat terhubung ke server. Periksa koneksi Anda lalu coba lagi.';

function loginProblem(status: number): string {
  if (status === 429) return 'Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.';
  if (status === 400 || status === 401) return 'Email atau kata sandi salah.';
  return 'Server sedang bermasalah. Coba lagi sebentar lagi.';
}

/** Who holds the access token now, read from GET /me (the token itself stays in memory only). */
async function fetchMe(): Promise<Me | null> {
  const { data } = await api.GET('/me');
  return data ?? null;
}

function Brand() {
  return (
    <p class="brand">
      <span class="mark" aria-hidden="true">P</span> Pasar <span class="tag">Portal Penjual</span>
    </p>
  );
}

function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data, response } = await api.POST('/auth/login', {
        params: { query: { refreshToken: 'cookie' } },
        body: { email, password },
      });
      if (!data) {
        setError(loginProblem(response.status));
        return;
      }
      if (data.user.role !== 'seller') {
        // drop the cookie session the API just opened for this shopper
        await api.POST('/auth/logout').catch(() => undefined);
        setError('Akun ini akun pembeli. Masuk dengan akun penjual.');
        return;
      }
      setAccessToken(data.accessToken);
      const me = await fetchMe();
      if (!me) {
        setAccessToken(null);
        setError('Sesi tidak dapat dimulai. Coba masuk lagi.');
        return;
      }
      onSignedIn(me);
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit}>
      <Brand />
      <h1>Masuk ke Portal Penjual</h1>
      <p class="hint">Kelola toko, produk, dan pesanan Anda.</p>
      <label>
        Email
        <input type="email" autocomplete="username" inputMode="email" placeholder="nama@toko.id" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Kata sandi
        <input type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Memproses…' : 'Masuk'}</button>
    </form>
  );
}

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);

  // a session survives a reload through the httpOnly refresh cookie
  useEffect(() => {
    (async () => {
      try {
        const { data } = await api.POST('/auth/refresh', { params: { query: { refreshToken: 'cookie' } } });
        if (data?.user.role === 'seller') {
          setAccessToken(data.accessToken);
          setMe(await fetchMe());
        }
      } catch {
        // the API is unreachable: show the login form, which says so on submit
      } finally {
        setChecking(false);
      }
    })();
  }, []);

  const logout = async () => {
    await api.POST('/auth/logout').catch(() => undefined);
    setAccessToken(null);
    setMe(null);
  };

  if (checking) return <main class="center"><p aria-live="polite">Memuat…</p></main>;
  return (
    <main class="center">
      {me ? (
        <section class="card">
          <Brand />
          <h1>Halo, {me.user.name}</h1>
          {me.store && <p class="hint">{me.store.name} · {me.store.location}</p>}
          <button type="button" class="secondary" onClick={logout}>Keluar</button>
        </section>
      ) : (
        <Login onSignedIn={setMe} />
      )}
    </main>
  );
}

render(<App />, document.getElementById('app')!);

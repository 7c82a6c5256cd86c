import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api, setAccessToken } from './api.ts';
import './style.css';

type Me = components['schemas']['Me'];

function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST('/auth/login', {
      params: { query: { refreshToken: 'cookie' } },
      body: { email, password },
    });
    setBusy(false);
    if (!data) {
      setError(problem?.status === 429 ? 'Terlalu banyak percobaan. Coba lagi nanti.' : 'Email atau kata sandi salah.');
      return;
    }
    if (data.user.role !== 'seller') {
      setError('Akun ini bukan akun penjual.');
      return;
    }
    setAccessToken(data.accessToken);
    onSignedIn({ user: data.user, store: data.store });
  };

  return (
    <form class="card" onSubmit={submit}>
      <h1>Masuk ke Portal Penjual</h1>
      <label>
        Email
        <input type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
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

  // a session survives a reload through the refresh cookie
  useEffect(() => {
    api.POST('/auth/refresh', { params: { query: { refreshToken: 'cookie' } } }).then(({ data }) => {
      if (data?.user.role === 'seller') {
        setAccessToken(data.accessToken);
        setMe({ user: data.user, store: data.store });
      }
      setChecking(false);
    }, () => setChecking(false));
  }, []);

  const logout = async () => {
    await api.POST('/auth/logout');
    setAccessToken(null);
    setMe(null);
  };

  if (checking) return <main class="center"><p>Memuat…</p></main>;
  return (
    <main class="center">
      {me ? (
        <section class="card">
          <h1>Halo, {me.user.name}</h1>
          {me.store && <p>{me.store.name} · {me.store.location}</p>}
          <button type="button" onClick={logout}>Keluar</button>
        </section>
      ) : (
        <Login onSignedIn={setMe} />
      )}
    </main>
  );
}

render(<App />, document.getElementById('app')!);

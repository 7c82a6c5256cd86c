import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// `npm start` passes both; the portal calls the API on the host name it was loaded from (src/api.ts)
const port = Number(process.env.SELLER_PORTAL_PORT || 5173);
const apiUrl = process.env.PASAR_API_URL || 'http://localhost:3000';

export default defineConfig({
  plugins: [preact()],
  define: { __PASAR_API_URL__: JSON.stringify(apiUrl) },
  // 127.0.0.1 answers both http://127.0.0.1:port and http://localhost:port; strict, because the API's CORS list names this port
  server: { port, host: '127.0.0.1', strictPort: true },
  preview: { port, host: '127.0.0.1', strictPort: true },
  build: { target: 'es2022' },
});

import node from '@astrojs/node';
import preact from '@astrojs/preact';
import { defineConfig } from 'astro/config';

// Server-rendered pages; only interactive parts ship JavaScript (Preact islands).
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [preact()],
  // our middleware checks the Origin of every state-changing request (forms and JSON alike)
  security: { checkOrigin: false },
  // `npm start` (dev): the port from STOREFRONT_PORT; 127.0.0.1 answers as localhost too
  server: { port: Number(process.env.STOREFRONT_PORT ?? 4321), host: '127.0.0.1' },
});

/** The API's URL as `npm start` or the image build gives it (PASAR_API_URL), baked in by vite.config.ts. */
declare const __PASAR_API_URL__: string;

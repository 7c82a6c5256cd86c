/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    lang: import('./lib/i18n').Lang;
    t: import('./lib/i18n').Dict;
    api: import('@pasar/openapi').PasarClient;
    signedIn: boolean;
    role?: string;
    secure: boolean;
    /** The site's public origin: SITE_URL, or the request's own. */
    site: string;
  }
}

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatRupiah } from '@pasar/openapi/format';
import { MESSAGES, type Locale } from './messages.ts';

export type EmailName = 'order-confirmation' | 'new-order' | 'order-status' | 'low-stock' | 'weekly-report';

const engine = Handlebars.create();
engine.registerHelper('rupiah', (amount: number) => formatRupiah(amount));
engine.registerHelper('inc', (n: number) => n + 1);

const read = (file: string) => readFileSync(new URL(`./templates/${file}`, import.meta.url), 'utf8');
const layout = engine.compile(read('layout.html.hbs'));
const templates = new Map<string, Handlebars.TemplateDelegate>();
function template(name: string): Handlebars.TemplateDelegate {
  // plain-text parts are not HTML: "Tom & Jerry" stays as typed
  if (!templates.has(name)) templates.set(name, engine.compile(read(name), { noEscape: name.endsWith('.txt.hbs') }));
  return templates.get(name)!;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** An email's HTML (in the common layout) and plain-text parts, in the reader's language. */
export function renderEmail(name: EmailName, locale: Locale, subject: string, data: Record<string, unknown>): RenderedEmail {
  const context = { ...data, t: MESSAGES[locale], locale, subject };
  const body = template(`${name}.html.hbs`)(context);
  return {
    subject,
    html: layout({ ...context, body }),
    text: template(`${name}.txt.hbs`)(context).replace(/\n{3,}/g, '\n\n').trim() + '\n',
  };
}

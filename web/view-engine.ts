/**
 * The Handlebars view engine: one isolated Handlebars instance, every layout, partial and view
 * declared in web/views and compiled at start-up. Rendering an unknown view or a missing partial
 * fails loudly with a named error (miniflux engine.go, Ghost template.js).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { registerHelpers } from './helpers/index.js';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

/** The views every page needs; start-up fails when one is missing. */
export const REQUIRED_VIEWS = ['overview', 'brands', 'journey', 'mentions', 'sources', 'alerts', 'error', 'login'] as const;
/** Partials the views use. */
export const REQUIRED_PARTIALS = ['chart-stacked', 'chart-line', 'mention', 'range-picker', 'sentiment-badge', 'delta', 'empty'] as const;

/** Renders a view inside the main layout. */
export interface ViewEngine {
  render(view: string, context: Record<string, unknown>): string;
  has(view: string): boolean;
}

/** Loads and compiles every template; throws naming the first missing one. */
export function createViewEngine(dir = VIEWS_DIR): ViewEngine {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const read = (file: string): string => {
    if (!fs.existsSync(file)) throw new Error(`web: template ${path.relative(dir, file)} is missing in ${dir}`);
    return fs.readFileSync(file, 'utf8');
  };
  for (const name of fs.readdirSync(path.join(dir, 'partials'))) {
    if (name.endsWith('.hbs')) hbs.registerPartial(name.slice(0, -4), read(path.join(dir, 'partials', name)));
  }
  for (const p of REQUIRED_PARTIALS) read(path.join(dir, 'partials', `${p}.hbs`));
  const opts = { strict: false, noEscape: false, preventIndent: true };
  const layout = hbs.compile(read(path.join(dir, 'layouts', 'main.hbs')), opts);
  const views = new Map<string, Handlebars.TemplateDelegate>();
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.hbs')) views.set(name.slice(0, -4), hbs.compile(read(path.join(dir, name)), opts));
  }
  for (const v of REQUIRED_VIEWS) if (!views.has(v)) throw new Error(`web: view ${v}.hbs is missing in ${dir}`);
  // Compile everything now so a syntax error or unknown partial surfaces at start-up, not on a request.
  const runtime = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
  return {
    has: (view) => views.has(view),
    render(view, context) {
      const tpl = views.get(view);
      if (!tpl) throw new Error(`web: unknown view '${view}'`);
      const body = tpl(context, runtime);
      return layout({ ...context, body: new Handlebars.SafeString(body) }, runtime);
    },
  };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { ExpressHandlebars } from 'express-handlebars';
import { viewHelpers } from './view-helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedPartials = path.join(root, 'server/http/views/partials');

export type Render = (req: Request, res: Response, page: string, context?: Record<string, unknown>) => Promise<void>;
export type SurfaceRenderers = Record<'web' | 'partner' | 'admin', Render>;

const surfaceDirs = { web: 'web', partner: 'institution-portal', admin: 'admin' } as const;

/** One Handlebars engine per surface, each with its own layouts and partials plus the shared ones. */
export function createRenderer(surface: keyof typeof surfaceDirs, cache: boolean): Render {
  const viewsDir = path.join(root, surfaceDirs[surface], 'views');
  const hbs = new ExpressHandlebars({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: [path.join(viewsDir, 'partials'), sharedPartials],
    helpers: viewHelpers,
  });
  return async (req, res, page, context = {}) => {
    const flash = req.session?.flash ?? res.locals.flash;
    if (req.session?.flash) delete req.session.flash;
    const html = await hbs.renderView(path.join(viewsDir, 'pages', `${page}.hbs`), {
      settings: { views: viewsDir },
      cache,
      ...context,
      account: req.account,
      csrfToken: req.csrfToken?.(),
      flash,
      currentPath: req.originalUrl,
    } as never);
    res.type('html').send(html);
  };
}

export function createRenderers(cache: boolean): SurfaceRenderers {
  return { web: createRenderer('web', cache), partner: createRenderer('partner', cache), admin: createRenderer('admin', cache) };
}

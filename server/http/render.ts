import { OTP_RESEND_SECONDS } from '../modules/accounts';
import path from 'node:path';
import type { Request, Response } from 'express';
import { ExpressHandlebars } from 'express-handlebars';
import { permissionsOf } from '../modules/accounts/permissions';
import { roleName } from '../modules/accounts/role-rules';
import { viewHelpers } from './view-helpers';
import { projectRoot } from '../lib/project-root';

const root = projectRoot;
const sharedPartials = path.join(root, 'server/http/views/partials');

export type Render = (req: Request, res: Response, page: string, context?: Record<string, unknown>) => Promise<void>;
export type SurfaceRenderers = Record<'web' | 'partner' | 'admin' | 'channel', Render>;

const surfaceDirs = { web: 'web', partner: 'institution-portal', admin: 'admin', channel: 'channel-portal' } as const;

/** One Handlebars engine per surface, each with its own layouts and partials plus the shared ones. */
export interface NavItem {
  href: string;
  label: string;
  /** the menu group it appears under */
  group: string;
  permission: string;
}

/** The items a person may use, in their groups (in order of first appearance); the page being shown is marked. */
function visibleNav(nav: readonly NavItem[], can: Record<string, true>, path: string) {
  const items = nav.filter((item) => can[item.permission]).map((item) => ({ ...item, current: path === item.href.replace(/^\/(admin|partner|channel)/, '') || undefined }));
  const groups: { label: string; items: typeof items; current?: true; single?: (typeof items)[number] }[] = [];
  for (const item of items) {
    let group = groups.find((g) => g.label === item.group);
    if (!group) groups.push((group = { label: item.group, items: [] }));
    group.items.push(item);
    if (item.current) group.current = true;
  }
  for (const group of groups) if (group.items.length === 1) group.single = group.items[0];
  return { items, groups };
}

/** What a surface's layout shows on every page besides the page itself (the header's counts). */
export type LayoutData = (req: Request) => Promise<Record<string, unknown>>;

export function createRenderer(surface: keyof typeof surfaceDirs, cache: boolean, nav: readonly NavItem[] = [], layoutData?: LayoutData): Render {
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
    const can = req.account && req.account.kind !== 'consumer' ? permissionsOf(req.account.kind, req.account) : {};
    if (req.session?.flash) delete req.session.flash;
    const layout = layoutData ? await layoutData(req) : {};
    const html = await hbs.renderView(path.join(viewsDir, 'pages', `${page}.hbs`), {
      settings: { views: viewsDir },
      cache,
      ...context,
      ...layout,
      account: req.account,
      /** what the signed-in staff member may do: `{{#if can.[products.review]}}` */
      can,
      ...(req.account ? (({ items, groups }) => ({ nav: items, navGroups: groups }))(visibleNav(nav, can, req.path)) : { nav: [], navGroups: [] }),
      roleLabel: req.account ? roleName({ role: req.account.role, customRole: req.account.customRole ?? null }) : undefined,
      // made when a form on the page asks for it, so a page without a form starts no session
      csrfToken: req.csrfToken ? () => req.csrfToken!() : undefined,
      flash,
      currentPath: req.originalUrl,
      /** seconds before another SMS code may be asked for (the 重新获取 countdown) */
      resendAfterSeconds: OTP_RESEND_SECONDS,
    } as never);
    res.type('html').send(html);
  };
}

export function createRenderers(cache: boolean, navs: { partner: readonly NavItem[]; admin: readonly NavItem[]; channel: readonly NavItem[] }, webLayout?: LayoutData): SurfaceRenderers {
  return {
    web: createRenderer('web', cache, [], webLayout),
    partner: createRenderer('partner', cache, navs.partner),
    admin: createRenderer('admin', cache, navs.admin),
    channel: createRenderer('channel', cache, navs.channel),
  };
}

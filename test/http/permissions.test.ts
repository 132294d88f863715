import type { Router } from 'express';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import {
  institutionCan,
  institutionRoles,
  operatorCan,
  operatorRoles,
  type InstitutionPermission,
  type OperatorPermission,
} from '../../server/modules/accounts/permissions';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

/**
 * The permission matrix. Every route of the staff surfaces has a row here naming the permission
 * it needs ('public' for login and logout). A route without a row fails the test, and every
 * role is sent to every route: those without the permission must get 403, the others must not.
 */
const operatorMatrix: Record<string, OperatorPermission | 'public'> = {
  'GET /admin/login': 'public',
  'POST /admin/login': 'public',
  'POST /admin/logout': 'public',
  'GET /admin/': 'dashboard.view',
  'GET /admin/applications': 'applications.view',
  'GET /admin/applications/:id': 'applications.view',
  'GET /admin/outbox': 'outbox.view',
  'GET /admin/risk': 'risk.view',
  'GET /admin/settings': 'settings.manage',
  'POST /admin/settings/:key': 'settings.manage',
  'GET /admin/agreements': 'agreements.manage',
  'GET /admin/institutions/:id/agreements': 'agreements.manage',
  'POST /admin/institutions/:id/agreements': 'agreements.manage',
  'POST /admin/applications/:id/commissions/reverse': 'agreements.manage',
  'POST /api/admin/v1/auth/login': 'public',
  'POST /api/admin/v1/auth/logout': 'public',
  'GET /api/admin/v1/applications': 'applications.view',
  'GET /api/admin/v1/applications/:id': 'applications.view',
  'GET /api/admin/v1/receivables': 'settlement.view',
};

const institutionMatrix: Record<string, InstitutionPermission | 'public'> = {
  'GET /partner/login': 'public',
  'POST /partner/login': 'public',
  'POST /partner/logout': 'public',
  'GET /partner/': 'portal.view',
  'GET /partner/leads': 'leads.work',
  'GET /partner/leads.csv': 'leads.work',
  'POST /partner/leads/bulk': 'leads.work',
  'GET /partner/leads/:id': 'leads.work',
  'GET /partner/documents/:id': 'leads.work',
  'POST /partner/leads/:id/messages': 'leads.work',
  'POST /partner/leads/:id/reveal': 'leads.work',
  'POST /partner/leads/:id/status': 'leads.work',
  'GET /partner/api-keys': 'integration.manage',
  'POST /partner/api-keys': 'integration.manage',
  'POST /partner/api-keys/:id/revoke': 'integration.manage',
  'GET /partner/webhook': 'integration.manage',
  'POST /partner/webhook': 'integration.manage',
  'POST /partner/webhook/disable': 'integration.manage',
  'POST /partner/webhook/deliveries/:id/retry': 'integration.manage',
  'GET /partner/prescreen': 'prescreen.manage',
  'POST /partner/prescreen': 'prescreen.manage',
  'POST /partner/prescreen/:id/toggle': 'prescreen.manage',
  'POST /api/partner/v1/auth/login': 'public',
  'POST /api/partner/v1/auth/logout': 'public',
  'GET /api/partner/v1/leads': 'leads.work',
  'GET /api/partner/v1/leads/export.csv': 'leads.work',
  'GET /api/partner/v1/leads/:id': 'leads.work',
  'GET /api/partner/v1/leads/:id/documents': 'leads.work',
  'GET /api/partner/v1/documents/:id': 'leads.work',
  'GET /api/partner/v1/leads/:id/messages': 'leads.work',
  'POST /api/partner/v1/leads/:id/messages': 'leads.work',
  'POST /api/partner/v1/leads/:id/reveal': 'leads.work',
  'POST /api/partner/v1/leads/:id/status': 'leads.work',
};

interface DeclaredRoute {
  key: string;
  method: string;
  path: string;
  guard: string | undefined;
  surface: string;
}

function declaredRoutes(t: TestApp, kind: 'operator' | 'institution'): DeclaredRoute[] {
  const surfaces = t.app.locals.staffSurfaces as Record<string, Router & { stack: never }>;
  const mounts = kind === 'operator' ? ['/admin', '/api/admin/v1'] : ['/partner', '/api/partner/v1'];
  return mounts.flatMap((mount) =>
    listRoutes(surfaces[mount]!)
      .filter((r) => r.path !== '*' && !r.path.startsWith('*'))
      .map((r) => ({ key: `${r.method} ${mount}${r.path}`, method: r.method, path: `${mount}${r.path}`, guard: r.guard, surface: mount })),
  );
}

/** A concrete URL for a route pattern: parameters become ids that do not exist. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'key' ? 'no-such-setting' : `missing-${name}`)).replace(/\/$/, '') || '/';

describe('permission matrix', () => {
  let t: TestApp;
  const agents = new Map<string, { agent: ReturnType<typeof request.agent>; csrf: string }>();

  beforeAll(async () => {
    t = await startTestApp();
    const { accounts } = t.container.services;
    for (const role of operatorRoles) {
      const username = `op.${role}`;
      await accounts.createStaff({ kind: 'operator', username, password: PASSWORD, displayName: role, role });
      const agent = await staffAgent(t.app, 'admin', username);
      const page = await agent.get('/admin/');
      agents.set(`operator:${role}`, { agent, csrf: csrfFrom(page.text) });
    }
    for (const role of institutionRoles) {
      const username = `a.${role}`;
      await accounts.createStaff({ kind: 'institution', username, password: PASSWORD, displayName: role, role, institutionId: t.fixtures.institutionA.id });
      const agent = await staffAgent(t.app, 'partner', username);
      const page = await agent.get('/partner/');
      agents.set(`institution:${role}`, { agent, csrf: csrfFrom(page.text) });
    }
  }, 120_000);
  afterAll(async () => t?.close());

  for (const kind of ['operator', 'institution'] as const) {
    const matrix: Record<string, string> = kind === 'operator' ? operatorMatrix : institutionMatrix;

    it(`every ${kind} route has a row, and its guard asks for that permission`, () => {
      const routes = declaredRoutes(t, kind);
      expect(routes.length).toBeGreaterThan(10);
      const missing = routes.filter((r) => !(r.key in matrix)).map((r) => r.key);
      expect(missing, 'routes without a row in the permission matrix').toEqual([]);
      for (const r of routes) {
        const expected = matrix[r.key] === 'public' ? 'public' : `${kind}:${r.surface.startsWith('/api') ? 'api' : 'page'}:${matrix[r.key]}`;
        expect(r.guard, r.key).toBe(expected);
      }
      const stale = Object.keys(matrix).filter((key) => !routes.some((r) => r.key === key));
      expect(stale, 'rows for routes that no longer exist').toEqual([]);
    });

    const roles: readonly string[] = kind === 'operator' ? operatorRoles : institutionRoles;
    it(`each ${kind} role gets 403 exactly where it lacks the permission`, { timeout: 120_000 }, async () => {
      const routes = declaredRoutes(t, kind).filter((r) => matrix[r.key] !== 'public');
      const wrong: string[] = [];
      for (const role of roles) {
        const { agent, csrf } = agents.get(`${kind}:${role}`)!;
        for (const r of routes) {
          const permission = matrix[r.key]!;
          const allowed = kind === 'operator' ? operatorCan(role, permission as OperatorPermission) : institutionCan(role, permission as InstitutionPermission);
          const url = concrete(r.path);
          const isApi = r.surface.startsWith('/api');
          const res =
            r.method === 'GET'
              ? await agent.get(url)
              : isApi
                ? await agent[r.method.toLowerCase() as 'post'](url).send({})
                : await agent[r.method.toLowerCase() as 'post'](url).type('form').send({ _csrf: csrf });
          const denied = res.status === 403;
          const loggedOut = res.status === 401 || (res.status === 303 && /\/login/.test(String(res.headers.location)));
          if (loggedOut || denied === allowed) wrong.push(`${role} ${r.key}: ${res.status}${allowed ? ' (should be allowed)' : ' (should be 403)'}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});

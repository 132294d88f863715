import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { createAdminApp } from '../admin';
import { createInstitutionPortal } from '../institution-portal';
import { createChannelPortal } from '../channel-portal';
import { channelNav } from '../channel-portal/nav';
import { channelApi } from './http/api/channel-api';
import { createWebApp } from '../web';
import type { Container } from './container';
import { adminApi } from './http/api/admin-api';
import { consumerApi } from './http/api/consumer-api';
import { anonymousProductList } from './http/api/consumer/anonymous-lists';
import { productListRoute } from './http/api/consumer/catalogue.routes';
import { routeHandler } from './http/api/route-table';
import { agreementsGate } from './http/agreements';
import { openApiDocument } from './http/api/openapi';
import { partnerApi } from './http/api/partner-api';
import { apiCsrf, pageCsrf } from './http/csrf';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { assertEveryRouteGuarded, createGuards } from './http/guards';
import type { HttpKit } from './http/kit';
import { createPassport } from './http/passport';
import { createRateLimits } from './http/rate-limits';
import { createVisitorResolver, visitorCookieKey } from './http/visitor';
import { setAfterLogin } from './http/session-login';
import { auditActor } from './http/audit-actor';
import { mountStripeWebhook } from './http/stripe-webhook';
import { deviceOf } from './http/device';
import { createRenderers } from './http/render';
import { createSessionMiddleware } from './http/sessions';
import { listenWithAppServer } from './http/app-server';
import { refuseUnstorableInput, requireUtf8Json } from './http/safe-input';
import { adminNav } from '../admin/nav';
import { partnerNav } from '../institution-portal/nav';
import './http/types';
import { UnauthenticatedError } from './lib/errors';
import { projectRoot } from './lib/project-root';

const root = projectRoot;

/** Builds the Express app: the three surfaces, their JSON APIs, and the cross-cutting HTTP concerns. */
export function createApp(container: Container): Express {
  const { config, services, logger } = container;
  const production = config.env === 'production';
  const app = express();
  app.disable('x-powered-by');
  // pages and API answers are per person and change often: no ETag hashing of every body
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy ? (/^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy) : false);

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // never log bodies or query strings (they can carry PII); the serializers read the request and
      // response themselves (wrapSerializers: false), instead of after pino's own copy of every
      // header and the parsed query, which nothing logs and every request paid for
      wrapSerializers: false,
      serializers: {
        req: (req: { id: unknown; method: string; originalUrl?: string; url: string }) => ({ id: req.id, method: req.method, path: (req.originalUrl ?? req.url).split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/assets/') === true },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          ...(production ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: production,
    }),
  );

  const guards = createGuards(services, { mfaRequired: config.mfaRequired });
  // the consumer header counts unread messages on 「我的」; an error page still renders if the count fails
  const consumerHeader = async (req: express.Request) =>
    req.account?.kind === 'consumer' ? { unreadCount: await services.notifications.unreadCount(req.account.id).catch(() => undefined) } : {};
  const renderers = createRenderers(production, { admin: adminNav, partner: partnerNav, channel: channelNav }, consumerHeader);
  const limits = createRateLimits(container.shared, config.rateLimits);
  const kit: HttpKit = {
    guards,
    limits,
    authenticate: createPassport(services.accounts),
    secondFactor: async (kind, accountId, code) => {
      await services.mfa.verify(accountId, code);
      const account = await services.accounts.findActive(kind, accountId);
      if (!account) throw new UnauthenticatedError('账号不可用');
      return account;
    },
    publicUrl: config.publicUrl,
    visitor: createVisitorResolver(container.pii, production),
    device: deviceOf(production),
  };
  // a visitor who signs in or registers takes their desk conversations with them; the sign-in
  // has already succeeded, so a failure here is logged rather than shown (the next sign-in retries)
  setAfterLogin(app, async (req, account) => {
    const visitorKey = account.kind === 'consumer' ? visitorCookieKey(container.pii, req) : null;
    if (!visitorKey) return;
    try {
      await services.desk.claimVisitor(visitorKey, account.id, { ...auditActor(req), kind: 'consumer', id: account.id });
    } catch (err) {
      logger.error({ err }, 'visitor desk conversations not moved to the account');
    }
  });

  app.get('/healthz', guards.public, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', guards.public, async (_req, res) => {
    const results = await Promise.all(
      container.health.map(async (h) => {
        try {
          await Promise.race([h.check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
          return [h.name, 'ok'] as const;
        } catch (err) {
          return [h.name, `down: ${(err as Error).message}`] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const down = results.filter(([, v]) => v !== 'ok').map(([k]) => k);
    res.status(down.length ? 503 : 200).json({ status: down.length ? 'unavailable' : 'ready', checks, down });
  });

  // the catalogue's busiest answer, an anonymous product list, before the parsers, the session and the router
  app.get('/api/v1/products', guards.public, anonymousProductList(services, kit, routeHandler(productListRoute, services, kit)));

  app.use('/assets', express.static(path.join(root, 'web/public'), { maxAge: production ? '1d' : 0, index: false }));
  // browsers ask for /favicon.ico on every site, whatever the page links: answer it rather than a 404
  app.get('/favicon.ico', guards.public, (_req, res) => {
    res.sendFile(path.join(root, 'web/public/favicon.ico'), { maxAge: production ? '7d' : 0 });
  });

  // raw body for the signature check: before the JSON parser, on this route only
  mountStripeWebhook(app, services, logger, guards.public);

  app.use(express.json({ limit: '100kb', verify: requireUtf8Json }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(refuseUnstorableInput);
  app.use(createSessionMiddleware(container.shared, { secret: config.sessionSecret, secure: production }));

  app.get('/api/openapi.json', guards.public, (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/api', apiCsrf);
  const consumerApiRouter = consumerApi(services, kit);
  app.use('/api/v1', agreementsGate(services, 'api'), consumerApiRouter);
  const surfaces = {
    partnerApi: partnerApi(services, kit),
    adminApi: adminApi(services, kit),
    partner: createInstitutionPortal(services, kit, renderers.partner, { mfaRequired: config.mfaRequired }),
    admin: createAdminApp(services, kit, renderers.admin, { mfaRequired: config.mfaRequired }),
    channelApi: channelApi(services, kit),
    channel: createChannelPortal(services, kit, renderers.channel, { mfaRequired: config.mfaRequired }),
  };
  // the staff surfaces, by mount point, for the permission-matrix test
  app.locals.staffSurfaces = {
    '/api/partner/v1': surfaces.partnerApi,
    '/api/admin/v1': surfaces.adminApi,
    '/api/channel/v1': surfaces.channelApi,
    '/partner': surfaces.partner,
    '/admin': surfaces.admin,
    '/channel': surfaces.channel,
  };
  // the JSON APIs, by mount point, for the bad-input test that calls every route
  app.locals.apiSurfaces = { '/api/v1': consumerApiRouter, '/api/partner/v1': surfaces.partnerApi, '/api/admin/v1': surfaces.adminApi, '/api/channel/v1': surfaces.channelApi };
  app.use('/api/partner/v1', surfaces.partnerApi);
  app.use('/api/channel/v1', surfaces.channelApi);
  app.use('/api/admin/v1', surfaces.adminApi);
  app.use('/api', notFoundHandler());

  app.use(pageCsrf);
  app.use('/partner', surfaces.partner);
  app.use('/admin', surfaces.admin);
  app.use('/channel', surfaces.channel);
  app.use('/', createWebApp(services, kit, renderers.web));
  app.use(notFoundHandler());
  app.use(createErrorHandler(logger, renderers));

  assertEveryRouteGuarded(app);
  listenWithAppServer(app);
  return app;
}

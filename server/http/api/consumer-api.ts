import { LRUCache } from 'lru-cache';
import { Router } from 'express';
import type { Services } from '../../container';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { releasableFields } from '../../modules/consents';
import { singleUpload } from '../upload';
import { auditActor } from '../audit-actor';
import { idempotent } from '../idempotency';
import type { HttpKit } from '../kit';
import { destroySession, establishLogin } from '../session-login';
import { parse } from '../validate';
import { authRoutes } from './auth-routes';
import { guideApiRoutes } from './content-api';
import { consumerLoanRoutes } from './loans-api';
import {
  applicationBody,
  bankCardBody,
  calculatorQuery,
  messageBody,
  closeAccountBody,
  complaintBody,
  contactBlockBody,
  contactPreferencesBody,
  identityBody,
  productListQuery,
  profileUpdateBody,
  noBody,
  recommendationQuery,
  registerBody,
  resetPasswordBody,
  smsCodeBody,
  smsLoginBody,
} from './schemas';
import { accountSecurityRoutes } from './account-security';
import { OTP_RESEND_SECONDS } from '../../modules/accounts';
import { accountJson, applicationJson, complaintJson, productJson, profileJson, scheduleJson } from './serializers';
import { profileOf, toSearchQuery } from '../catalogue-query';
import { buildSchedule, validateTerms } from '../../modules/pricing';
import { SEARCH_CACHE_SECONDS, eligibilityProfileOf, type ProductView } from '../../modules/catalogue';

const JSON_UTF8 = 'application/json; charset=utf-8';

/** `/api/v1`: what the consumer site does, for apps. */
const serialised = new WeakMap<ProductView, string>();
function productJsonText(p: ProductView): string {
  let text = serialised.get(p);
  if (text === undefined) serialised.set(p, (text = JSON.stringify(productJson(p))));
  return text;
}

export function consumerApi(services: Services, kit: HttpKit): Router {
  const { guards, limits, visitor, device } = kit;
  // Kept no longer than the search result it was built from, and dropped as soon as the catalogue's
  // results change (resultsVersion). Bodies are UTF-8 bytes: converting a 20 KB string on every
  // send costs more than the lookup.
  const anonymousLists = new LRUCache<string, { version: number; body: Buffer; ids: string[]; q: string | undefined }>({
    max: 2000,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length,
    ttl: SEARCH_CACHE_SECONDS * 1000,
  });
  const r = Router();
  const consumer = guards.consumer('api');

  r.get('/products', guards.public, async (req, res) => {
    const who = visitor(req, res);
    // anonymous lists are the same for everyone: the finished body is reused, keyed by the query string
    const cacheKey = req.account ? undefined : req.originalUrl;
    const hit = cacheKey ? anonymousLists.get(cacheKey) : undefined;
    if (hit && hit.version === services.catalogue.resultsVersion) {
      if (hit.q) services.catalogue.recordEvent(who, 'search', { query: hit.q, channel: 'api' });
      services.catalogue.recordImpressions(who, hit.ids, hit.q ? 'search' : 'list', 'api');
      res.set('Content-Type', JSON_UTF8).send(hit.body);
      return;
    }
    const version = services.catalogue.resultsVersion;
    const input = parse(productListQuery, req.query, '查询参数有误');
    const page = await services.catalogue.searchListed(await toSearchQuery(services, req, input));
    if (input.q) services.catalogue.recordEvent(who, 'search', { query: input.q, channel: 'api' });
    const ids = page.items.map((p) => p.id);
    services.catalogue.recordImpressions(who, ids, input.q ? 'search' : 'list', 'api');
    // items are serialised once per product version and spliced in: the list is the hot path
    const meta = JSON.stringify({ total: page.total, page: page.page, pageSize: page.pageSize, facets: page.facets });
    const body = Buffer.from(`{"items":[${page.items.map(productJsonText).join(',')}],${meta.slice(1)}`);
    if (cacheKey && !input.eligible) anonymousLists.set(cacheKey, { version, body, ids, q: input.q });
    res.set('Content-Type', JSON_UTF8).send(body);
  });

  r.get('/products/:id', guards.public, async (req, res) => {
    const product = services.catalogue.getListed(String(req.params.id));
    services.catalogue.recordEvent(visitor(req, res), 'view', { productId: product.id, channel: 'api' });
    res.json(productJson(product));
  });

  guideApiRoutes(r, services, kit);

  r.get('/calculator', guards.public, (req, res) => {
    const q = parse(calculatorQuery, req.query, '计算参数有误');
    const terms = {
      principalFen: q.principal,
      annualRate: q.annualRate,
      termMonths: q.termMonths,
      method: q.method,
      fees: { upfrontFen: q.upfrontFee ?? 0, monthlyFeeFen: q.monthlyFee ?? 0 },
      startDate: q.startDate ? new Date(`${q.startDate}T00:00:00+08:00`) : undefined,
    };
    const problems = validateTerms(terms);
    if (Object.keys(problems).length) {
      throw new ValidationError('计算参数有误', problems);
    }
    res.json(scheduleJson(buildSchedule(terms)));
  });

  r.get('/recommendations', guards.public, async (req, res) => {
    const q = parse(recommendationQuery, req.query, '查询参数有误');
    const stored = await profileOf(services, req);
    const given = eligibilityProfileOf({
      age: q.age,
      city: q.city,
      monthlyIncomeFen: q.monthlyIncome,
      employment: q.employment,
      creditSelfAssessment: q.creditSelfAssessment,
    });
    const profile = { ...stored, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
    const items = await services.recommendations.recommend({
      amountFen: q.amount,
      termMonths: q.termMonths,
      purpose: q.purpose,
      profile,
      visitor: visitor(req, res),
      limit: q.limit,
    });
    services.catalogue.recordImpressions(visitor(req, res), items.map((r) => r.product.id), 'recommendations', 'api');
    res.json({
      items: items.map((r) => ({
        product: productJson(r.product),
        reasons: r.reasons,
        apr: Math.round(r.apr * 1e6) / 1e6,
        monthlyPayment: r.monthlyPaymentFen === undefined ? null : r.monthlyPaymentFen / 100,
      })),
    });
  });

  r.post('/auth/sms-code', guards.public, limits.smsCode, async (req, res) => {
    const body = parse(smsCodeBody, req.body, '请求有误');
    await services.accounts.requestCode(body.phone, body.purpose);
    res.status(202).json({ sent: true, resendAfterSeconds: OTP_RESEND_SECONDS });
  });

  r.post('/auth/register', guards.public, limits.register, async (req, res) => {
    const body = parse(registerBody, req.body, '注册信息有误');
    const account = await services.accounts.registerWithCode(body);
    await establishLogin(req, account);
    await services.risk.recordRegistration(account.id, device(req, res), req.ip ?? '');
    await services.audit.record({ ...auditActor(req), kind: 'consumer', id: account.id }, { action: 'account.registered', objectType: 'account', objectId: account.id });
    res.status(201).json({ account: accountJson(account) });
  });

  authRoutes(r, kit, 'consumer');

  /** Sign in with an SMS code (`auth/sms-code` with purpose `login` first): also while a password throttle holds. */
  r.post('/auth/login/sms', guards.public, ...limits.login, async (req, res) => {
    const body = parse(smsLoginBody, req.body, '登录信息有误');
    const account = await services.accounts.loginWithCode(body.phone, body.code);
    await establishLogin(req, account);
    res.json({ account: accountJson(account) });
  });

  r.post('/auth/password/reset', guards.public, limits.register, async (req, res) => {
    const body = parse(resetPasswordBody, req.body, '重置信息有误');
    await services.accounts.resetPassword(body);
    res.status(204).end();
  });

  accountSecurityRoutes(r, services, consumer);

  r.get('/notifications', consumer, async (req, res) => {
    const [items, unread] = await Promise.all([services.notifications.list(req.account!.id), services.notifications.unreadCount(req.account!.id)]);
    res.json({ unread, items: items.map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read: n.readAt !== null, at: n.createdAt })) });
  });

  r.post('/notifications/read', consumer, async (req, res) => {
    parse(noBody, req.body ?? {});
    await services.notifications.markAllRead(req.account!.id);
    res.status(204).end();
  });

  r.get('/me', consumer, (req, res) => {
    res.json({ account: accountJson(req.account!) });
  });

  r.get('/profile', consumer, async (req, res) => {
    res.json(profileJson(await services.accounts.profile(req.account!.id)));
  });

  r.put('/profile', consumer, async (req, res) => {
    const body = parse(profileUpdateBody, req.body, '资料有误');
    const changes = {
      housing: body.housing,
      monthlyDebtFen: body.monthlyDebt,
      age: body.age,
      city: body.city,
      monthlyIncomeFen: body.monthlyIncome,
      employment: body.employment,
      creditSelfAssessment: body.creditSelfAssessment,
    };
    // only what was sent changes: a client that knows one field does not wipe the others
    const saved = await services.accounts.saveProfile(req.account!.id, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    await services.audit.record(auditActor(req), { action: 'profile.updated', objectType: 'account', objectId: req.account!.id });
    res.json(profileJson(saved));
  });

  r.get('/me/export', consumer, async (req, res) => {
    const data = await services.dataRights.export(req.account!.id, auditActor(req));
    res.set('Content-Disposition', 'attachment; filename="daichao-my-data.json"').json(data);
  });

  r.post('/me/close', consumer, async (req, res) => {
    const body = parse(closeAccountBody, req.body, '注销信息有误');
    await services.dataRights.close(req.account!.id, body.password, auditActor(req));
    await destroySession(req);
    res.clearCookie('dc.sid').status(204).end();
  });

  r.get('/contact-preferences', consumer, async (req, res) => {
    res.json(await services.accounts.contactPreferences(req.account!.id));
  });

  r.put('/contact-preferences', consumer, async (req, res) => {
    const body = parse(contactPreferencesBody, req.body, '联系偏好有误');
    res.json(await services.accounts.saveContactPreferences(req.account!.id, body));
  });

  /** "Stop contacting me" for one institution (or undo). */
  r.post('/contact-preferences/blocks', consumer, async (req, res) => {
    const body = parse(contactBlockBody, req.body, '请求有误');
    await services.institutions.get(body.institutionId).catch(() => {
      throw new ValidationError('机构不存在', { institutionId: '机构不存在' });
    });
    await services.accounts.setContactBlock(req.account!.id, body.institutionId, body.blocked);
    res.json(await services.accounts.contactPreferences(req.account!.id));
  });

  r.get('/identity', consumer, async (req, res) => {
    res.json(await services.identity.summary(req.account!.id));
  });

  r.post('/identity', consumer, async (req, res) => {
    const body = parse(identityBody, req.body, '实名信息有误');
    const summary = await services.identity.verify(req.account!.id, body, auditActor(req)).catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === 'id_in_use') await services.risk.flagIdPhoneMismatch(req.account!.id);
      throw err;
    });
    await services.accounts.saveProfile(req.account!.id, { age: summary.age ?? null });
    res.status(201).json(summary);
  });

  r.get('/bank-card', consumer, async (req, res) => {
    res.json({ bankCard: await services.identity.bankCard(req.account!.id) });
  });

  r.put('/bank-card', consumer, async (req, res) => {
    const body = parse(bankCardBody, req.body, '银行卡信息有误');
    res.json({ bankCard: await services.identity.saveBankCard(req.account!.id, body.cardNumber, auditActor(req)) });
  });

  r.post('/bank-card/reveal', consumer, async (req, res) => {
    res.json({ cardNumber: await services.identity.revealBankCard(req.account!.id, auditActor(req)) });
  });

  /** The consumer reveals their own ID number (audited). */
  r.post('/identity/reveal', consumer, async (req, res) => {
    parse(noBody, req.body ?? {});
    res.json(await services.identity.reveal(req.account!.id, auditActor(req), 'consumer revealed own identity'));
  });

  r.get('/applications/consent-preview', guards.public, (req, res) => {
    const ids = String(req.query.products ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .slice(0, 10);
    const purpose = typeof req.query.purpose === 'string' ? req.query.purpose : undefined;
    res.json({
      consents: services.submission.consentRequests(ids, purpose).map((c) => ({
        ...c,
        fieldLabels: c.fields.map((f) => releasableFields[f]),
      })),
    });
  });

  r.post('/applications', consumer, idempotent(services.idempotency, { required: true }), async (req, res) => {
    const body = parse(applicationBody, req.body, '申请信息有误');
    const result = await services.submission.apply(
      req.account!,
      { items: body.products.map((p) => ({ productId: p.productId, amountFen: p.amount, termMonths: p.termMonths })), purpose: body.purpose, consents: body.consents },
      auditActor(req),
    );
    await services.risk.recordApplications(req.account!.id, result.created, device(req, res), req.ip ?? '');
    if (result.created.length === 0) {
      throw new ConflictError(
        'nothing_submitted',
        '没有提交任何申请',
        Object.fromEntries(result.refused.map((r) => [r.productId, r.reasons.join('；')])),
      );
    }
    const created = await Promise.all(result.created.map((id) => services.applications.getForConsumer(req.account!.id, id)));
    for (const app of created) services.catalogue.recordEvent(visitor(req, res), 'apply', { productId: app.productId, channel: 'api' });
    res.status(201).json({ applications: created.map(applicationJson), refused: result.refused });
  });

  r.get('/data-releases', consumer, async (req, res) => {
    const rows = await services.consents.forConsumer(req.account!.id);
    res.json({
      items: rows.map((c) => ({
        consentId: c.id,
        institution: { id: c.institutionId, name: c.institutionName },
        applicationId: c.applicationId,
        purpose: c.purpose,
        fields: c.fields,
        grantedAt: c.grantedAt,
        withdrawnAt: c.withdrawnAt,
        releases: c.releases.map((r) => ({ fields: r.fields, channel: r.channel, at: r.releasedAt })),
      })),
    });
  });

  r.post('/consents/:id/withdraw', consumer, async (req, res) => {
    const row = await services.consents.withdraw(req.account!.id, String(req.params.id), auditActor(req));
    res.json({ consentId: row.id, withdrawnAt: row.withdrawnAt });
  });

  r.get('/applications', consumer, async (req, res) => {
    const items = await services.applications.listForConsumer(req.account!.id);
    res.json({ items: items.map(applicationJson) });
  });

  r.post('/applications/:id/documents', consumer, singleUpload, async (req, res) => {
    if (!req.file) throw new ValidationError('请选择文件', { file: '请上传 file 字段' });
    const doc = await services.documents.upload(req.account!.id, String(req.params.id), String(req.body.kind ?? ''), req.file.buffer, auditActor(req));
    res.status(201).json({ id: doc.id, kind: doc.kind, mime: doc.mime, size: doc.size, sha256: doc.sha256, createdAt: doc.createdAt });
  });

  r.get('/documents/:id', consumer, async (req, res) => {
    const { row, bytes } = await services.documents.openByConsumer(req.account!.id, String(req.params.id), auditActor(req));
    res.type(row.mime).set('Cache-Control', 'private, no-store').send(bytes);
  });

  r.get('/applications/:id/messages', consumer, async (req, res) => {
    const app = await services.applications.getForConsumer(req.account!.id, String(req.params.id));
    res.json({ items: (await services.messages.thread(app.id)).map((m: { id: string; senderKind: string; body: string; createdAt: Date }) => ({ id: m.id, from: m.senderKind, body: m.body, at: m.createdAt })) });
  });

  r.post('/applications/:id/messages', consumer, async (req, res) => {
    const body = parse(messageBody, req.body, '消息有误');
    const m = await services.messages.postByConsumer(req.account!.id, String(req.params.id), body.body);
    res.status(201).json({ id: m.id, from: m.senderKind, body: m.body, at: m.createdAt });
  });

  r.get('/applications/:id', consumer, async (req, res) => {
    res.json(applicationJson(await services.applications.getForConsumer(req.account!.id, String(req.params.id))));
  });

  r.post('/applications/:id/withdraw', consumer, idempotent(services.idempotency, { required: false }), async (req, res) => {
    res.json(applicationJson(await services.applications.withdraw(req.account!.id, String(req.params.id), auditActor(req))));
  });

  r.get('/complaints', consumer, async (req, res) => {
    res.json({ items: (await services.complaints.listForConsumer(req.account!.id)).map((c) => complaintJson(c)) });
  });

  r.post('/complaints', consumer, idempotent(services.idempotency, { required: false }), async (req, res) => {
    const body = parse(complaintBody, req.body, '投诉信息有误');
    const created = await services.complaints.file(req.account!.id, body, auditActor(req));
    res.status(201).json(complaintJson(await services.complaints.getForConsumer(req.account!.id, created.id)));
  });

  r.get('/complaints/:id', consumer, async (req, res) => {
    res.json(complaintJson(await services.complaints.getForConsumer(req.account!.id, String(req.params.id))));
  });

  consumerLoanRoutes(r, services, kit);

  r.use(guards.public, () => {
    throw new NotFoundError('接口');
  });
  return r;
}

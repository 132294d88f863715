import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { formatWan, parseYuan } from '../../server/lib/money';
import { applicationBody, housingTypes, identityBody, purposes } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { requestOrigin } from '../../server/http/request-origin';
import { confirmed } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageContext, type PageRoute } from '../../server/http/page-route';
import { localPath } from '../../server/lib/local-path';
import { fieldErrors, parse } from '../../server/http/validate';
import { explainRejection, isTerminal, type Refusal } from '../../server/modules/applications';
import { creditSelfAssessment, employmentTypes, pricingInput, type ProductView } from '../../server/modules/catalogue';
import { methodFor, priceRangeIfOffered, priceRangeText } from '../../server/modules/pricing';
import { documentKinds } from '../../server/modules/documents';
import { multipartCsrf } from '../../server/http/csrf';
import { singleUpload } from '../../server/http/upload';
import { releasableFields, standardApplicationFields } from '../../server/modules/consents';
import { oddsText } from '../odds-text';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : [String(v)]);

/** Profile facts an application needs; those already in the profile are not asked again. */
const profileQuestions = ['city', 'employment', 'monthlyIncome', 'housing', 'monthlyDebt', 'creditSelfAssessment'] as const;

type Consumer = PageContext<typeof guard.consumer, string, undefined>;
type OnApplication = Consumer & { params: { id: string } };

// ── real-name verification ──────────────────────────────────────────────────────────────────
const showVerify = async ({ req, principal, services, render }: Consumer, extra: Record<string, unknown> = {}) =>
  render('verify', {
    title: '实名认证',
    identity: await services.identity.summary(principal.account.id),
    bankCard: await services.identity.bankCard(principal.account.id),
    next: localPath(req.query.next ?? req.body?.next) ?? '',
    ...extra,
  });

// ── apply: step 1, the form (smart fill) ───────────────────────────────────────────────────
const productsOf = (services: Services, ids: string[]): ProductView[] =>
  [...new Set(ids)].slice(0, 10).flatMap((id) => {
    try {
      return [services.catalogue.getListed(id)];
    } catch {
      return [];
    }
  });

const showApply = async ({ req, res, principal, services, render }: Consumer, ids: string[], values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const products = productsOf(services, ids);
  if (products.length === 0) {
    req.session.flash = { kind: 'error', message: '请先选择要申请的产品' };
    return res.redirect(303, '/products');
  }
  const profile = await services.accounts.profile(principal.account.id);
  const known = {
    city: profile.city,
    employment: profile.employment,
    monthlyIncome: profile.monthlyIncomeFen === null ? null : profile.monthlyIncomeFen / 100,
    housing: profile.housing,
    monthlyDebt: profile.monthlyDebtFen === null ? null : profile.monthlyDebtFen / 100,
    creditSelfAssessment: profile.creditSelfAssessment,
  };
  const ask = Object.fromEntries(profileQuestions.map((q) => [q, known[q] === null || known[q] === undefined]));
  const amounts = list(values.amount);
  const terms = list(values.termMonths);
  // 预审 before consent: products the borrower cannot apply for (their stated rules, or applied for
  // within 30 days) are taken out of the form with the reason; consent is asked only for the rest
  const pre = await services.submission.precheck(principal.account.id, products.map((p) => p.id), {});
  const checkOf = new Map(pre.items.map((c) => [c.productId, c]));
  const all = products.map((p, i) => {
    const wantAmount = Number(amounts[i] ?? amounts[0]);
    const wantTerm = Number(terms[i] ?? terms[0]);
    const amount = Number.isFinite(wantAmount) && wantAmount > 0 ? wantAmount : p.minAmountFen / 100;
    // the amount asked for is kept, never raised or cut behind the borrower's back: say what this product lends
    const amountNote =
      amount * 100 < p.minAmountFen ? `本产品最低借 ${formatWan(p.minAmountFen)}，请调整金额或换一款产品`
      : amount * 100 > p.maxAmountFen ? `本产品最高借 ${formatWan(p.maxAmountFen)}，请调整金额或换一款产品`
      : undefined;
    const termMonths = p.termOptions.includes(wantTerm) ? wantTerm : p.termOptions.includes(12) ? 12 : p.termOptions[0]!;
    // my price for the amount and term carried here: from the lowest to the highest rate
    const input = pricingInput(p);
    const price = priceRangeIfOffered(input, { amountFen: Math.round(amount * 100), termMonths, method: methodFor(input) });
    const check = checkOf.get(p.id);
    return {
      product: p,
      amount,
      amountNote,
      myPrice: price ? { ...priceRangeText(price), termMonths } : undefined,
      terms: p.termOptions.map((t) => ({ value: t, selected: t === termMonths })),
      odds: check ? oddsText(check.odds) : undefined,
      reasons: check?.reasons ?? [],
      duplicateOf: check?.duplicateOf ?? null,
      open: !check || (check.eligible && !check.duplicateOf),
    };
  });
  await render('apply', {
    title: '申请贷款',
    items: all.filter((x) => x.open),
    blocked: all.filter((x) => !x.open),
    purposes,
    purpose: values.purpose ?? purposes[0],
    ask,
    asking: Object.values(ask).some(Boolean),
    known: { ...known, creditLabel: profile.creditSelfAssessment ? creditSelfAssessment[profile.creditSelfAssessment as keyof typeof creditSelfAssessment]?.label : null },
    values,
    employmentTypes,
    housingTypes,
    creditOptions: Object.entries(creditSelfAssessment).map(([value, c]) => ({ value, label: c.label })),
    ...extra,
  });
};

// ── following applications ─────────────────────────────────────────────────────────────────
const showApplication = async ({ params, principal, services, render }: OnApplication, extra: Record<string, unknown> = {}) => {
  const app = await services.applications.getForConsumer(principal.account.id, params.id);
  const messages = await services.messages.thread(app.id);
  const documents = (await services.documents.listForApplication(app.id)).map((d) => ({ ...d, kindLabel: documentKinds[d.kind] }));
  const loanId = app.status === 'disbursed' ? await services.loans.idForApplication(app.id, { consumerId: principal.account.id }) : null;
  const rejected = app.status === 'rejected';
  // after a rejection: the reason in words and products with better odds; no more uploads or messages
  const rejection = rejected ? explainRejection(app.rejectReason) : null;
  const alternatives = rejected ? (await services.submission.alternativesAfterRejection(principal.account.id, app)).map((a) => ({ ...a, odds: oddsText(a.odds) })) : [];
  await render('application', {
    title: app.productName,
    app,
    loanId,
    messages,
    documents,
    documentKinds: Object.entries(documentKinds).map(([value, label]) => ({ value, label })),
    canWithdraw: !isTerminal(app.status) && app.status !== 'disbursed',
    canAddMaterial: !rejected,
    rejection,
    alternatives,
    ...extra,
  });
};

// ── who has my data ────────────────────────────────────────────────────────────────────────
const showMyData = async ({ principal, services, render }: Consumer, extra: Record<string, unknown> = {}) => {
  const [consents, contracts] = await Promise.all([services.consents.forConsumer(principal.account.id), services.contracts.listForConsumer(principal.account.id)]);
  // each consent's signed 个人信息授权书 (absent for a moment after applying: rendered after the commit)
  const letterOf = new Map(contracts.filter((c) => c.kind === 'authorization').map((c) => [c.subjectId, c.id]));
  await render('my-data', { title: '谁有我的数据', consents: consents.map((c) => ({ ...c, letterId: letterOf.get(c.id) })), ...extra });
};

/** One card per institution on the consent screen: what is sent, why, and the 个人信息授权书 it becomes, in full. */
async function consentCards(services: Services, productIds: string[], purpose: unknown) {
  const requests = services.submission.consentRequests(productIds, typeof purpose === 'string' ? purpose : undefined);
  const letters = await services.authorizationLetters.previews(
    requests.map((c) => ({ institutionName: c.institutionName, productNames: c.products.map((p) => p.name), fields: c.fields })),
    new Date(),
  );
  return requests.map((c, i) => ({ ...c, fieldLabels: c.fields.map((f) => releasableFields[f]), letter: letters[i] }));
}

/** Verifying identity, applying to one or many products with consent per institution, and following applications. */
export const applicationPages = ({ idempotency }: Pick<Services, 'idempotency'>): PageRoute[] => [
  page({ method: 'get', path: '/verify', guard: guard.consumer, handler: (ctx) => showVerify(ctx) }),
  page({
    method: 'post',
    path: '/verify',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      try {
        const body = parse(identityBody, { realName: req.body.realName, idNumber: req.body.idNumber }, '实名信息有误');
        const summary = await services.identity.verify(principal.account.id, body, auditActor(req));
        req.session.flash = { kind: 'success', message: `实名认证成功：${summary.realNameMasked}` };
        res.redirect(303, localPath(req.body.next) ?? '/profile');
      } catch (err) {
        const error = formFailure(res, err);
        // what was typed comes back, ID number included, beside the reason: retyping 18 digits for a one-character slip helps no one
        await showVerify(ctx, { error, values: { realName: req.body.realName, idNumber: req.body.idNumber } });
      }
    },
  }),
  page({
    method: 'post',
    path: '/bank-card',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      try {
        await services.identity.saveBankCard(principal.account.id, String(req.body.cardNumber ?? ''), auditActor(req));
        req.session.flash = { kind: 'success', message: '银行卡已保存' };
        res.redirect(303, '/verify');
      } catch (err) {
        const error = formFailure(res, err);
        await showVerify(ctx, { cardError: error.fields?.cardNumber ?? error.message });
      }
    },
  }),
  page({
    method: 'post',
    path: '/bank-card/reveal',
    guard: guard.consumer,
    handler: async (ctx) => {
      await showVerify(ctx, { revealedCard: await ctx.services.identity.revealBankCard(ctx.principal.account.id, auditActor(ctx.req)) });
    },
  }),
  page({
    method: 'post',
    path: '/identity/reveal',
    guard: guard.consumer,
    handler: async (ctx) => {
      const clear = await ctx.services.identity.reveal(ctx.principal.account.id, auditActor(ctx.req), 'consumer revealed own identity');
      await showVerify(ctx, { revealed: clear });
    },
  }),

  page({
    method: 'get',
    path: '/apply',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const ids = list(req.query.products).flatMap((x) => x.split(','));
      const identity = await services.identity.summary(principal.account.id);
      if (!identity.verified) {
        req.session.flash = { kind: 'success', message: '首次申请前需要完成实名认证，只需一次' };
        return res.redirect(303, `/verify?next=${encodeURIComponent(req.originalUrl)}`);
      }
      await showApply(ctx, ids, { amount: req.query.amount, termMonths: req.query.termMonths, purpose: req.query.purpose });
    },
  }),

  // ── apply: step 2, the consent screen ──────────────────────────────────────────────────────
  page({
    method: 'post',
    path: '/apply/review',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, principal, services, render } = ctx;
      const ids = list(req.body.productId);
      const values = { amount: req.body.amount, termMonths: req.body.termMonths, purpose: req.body.purpose, ...req.body };
      // answers to the questions the profile could not fill are saved to the profile first
      const answers = Object.fromEntries(profileQuestions.map((q) => [q, req.body[q]]).filter(([, v]) => v !== undefined && v !== ''));
      const fields: Record<string, string> = {};
      const profilePatch: Record<string, unknown> = {};
      if (answers.city !== undefined) {
        if (String(answers.city).trim().length < 2) fields.city = '请输入所在城市';
        else profilePatch.city = String(answers.city).trim().slice(0, 20);
      }
      if (answers.employment !== undefined) {
        if (!(employmentTypes as readonly string[]).includes(String(answers.employment))) fields.employment = '请选择职业';
        else profilePatch.employment = answers.employment;
      }
      if (answers.housing !== undefined) {
        if (!(housingTypes as readonly string[]).includes(String(answers.housing))) fields.housing = '请选择住房情况';
        else profilePatch.housing = answers.housing;
      }
      if (answers.creditSelfAssessment !== undefined) {
        if (!(String(answers.creditSelfAssessment) in creditSelfAssessment)) fields.creditSelfAssessment = '请选择信用情况';
        else profilePatch.creditSelfAssessment = answers.creditSelfAssessment;
      }
      for (const [key, column, label] of [
        ['monthlyIncome', 'monthlyIncomeFen', '月收入'],
        ['monthlyDebt', 'monthlyDebtFen', '每月负债还款'],
      ] as const) {
        if (answers[key] === undefined) continue;
        const amount = parseYuan(String(answers[key]), { label, sign: 'non_negative' });
        if (!amount.ok) fields[key] = amount.reason;
        else profilePatch[column] = amount.fen;
      }
      const items = ids.map((productId, i) => ({ productId, amount: list(req.body.amount)[i], termMonths: list(req.body.termMonths)[i] }));
      const parsed = applicationBody.shape.products.safeParse(items);
      if (!parsed.success) Object.assign(fields, fieldErrors(parsed.error));
      if (!(purposes as readonly string[]).includes(String(req.body.purpose))) fields.purpose = '请选择借款用途';
      if (Object.keys(fields).length) {
        return showApply(ctx, ids, values, { error: formFailure(res, new ValidationError('请检查填写的信息', fields)) });
      }
      if (Object.keys(profilePatch).length) await services.accounts.saveProfile(principal.account.id, profilePatch);
      const profile = await services.accounts.profile(principal.account.id);
      const missing = profileQuestions.filter((q) => {
        const v = { city: profile.city, employment: profile.employment, monthlyIncome: profile.monthlyIncomeFen, housing: profile.housing, monthlyDebt: profile.monthlyDebtFen, creditSelfAssessment: profile.creditSelfAssessment }[q];
        return v === null || v === undefined;
      });
      if (missing.length) {
        return showApply(ctx, ids, values, {
          error: formFailure(res, new ValidationError('请补全申请所需的信息', Object.fromEntries(missing.map((m) => [m, '必填'])))),
        });
      }
      // the answers just given may rule a product out (a city, an income): checked again before consent
      const pre = await services.submission.precheck(principal.account.id, ids, {});
      if (pre.items.some((c) => !c.eligible || c.duplicateOf)) {
        return showApply(ctx, ids, values, { notice: '根据你填写的信息，部分产品暂不能申请，已取消勾选；确认后再继续，授权只针对其余产品' });
      }
      await render('consent', {
        title: '确认授权',
        items: parsed.data!.map((it) => ({ ...it, product: services.catalogue.getListed(it.productId), amountYuan: it.amount / 100 })),
        purpose: req.body.purpose,
        requests: await consentCards(services, ids, req.body.purpose),
        backHref: `/apply?${new URLSearchParams({ products: ids.join(','), purpose: String(req.body.purpose) })}`,
      });
    },
  }),

  // ── apply: submit ──────────────────────────────────────────────────────────────────────────
  page({
    method: 'post',
    path: '/apply',
    guard: guard.consumer,
    before: () => formIdempotent(idempotency),
    handler: async ({ req, res, principal, services, kit, render }) => {
      const ids = list(req.body.productId);
      const consented = new Set(list(req.body.consent));
      try {
        const body = parse(
          applicationBody,
          {
            products: ids.map((productId, i) => ({ productId, amount: list(req.body.amount)[i], termMonths: list(req.body.termMonths)[i] })),
            purpose: req.body.purpose,
            consents: [...consented].map((institutionId) => ({ institutionId, fields: standardApplicationFields })),
          },
          '申请信息有误',
        );
        if (consented.size === 0) throw new ValidationError('请至少勾选一家机构的授权', { consent: '没有你的授权，我们不会向任何机构发送你的信息' });
        const result = await services.submission.apply(
          principal.account,
          { items: body.products.map((p) => ({ productId: p.productId, amountFen: p.amount, termMonths: p.termMonths })), purpose: body.purpose, consents: body.consents },
          requestOrigin(kit, req, res, 'web'),
        );
        req.session.applyResult = { created: result.created, refused: result.refused };
        res.redirect(303, '/apply/done');
      } catch (err) {
        const error = formFailure(res, err);
        await render('consent', {
          title: '确认授权',
          error,
          items: ids.map((productId, i) => ({ productId, amount: list(req.body.amount)[i], termMonths: list(req.body.termMonths)[i], product: productsOf(services, [productId])[0], amountYuan: list(req.body.amount)[i] })),
          purpose: req.body.purpose,
          requests: await consentCards(services, ids, req.body.purpose),
          backHref: `/apply?${new URLSearchParams({ products: ids.join(',') })}`,
        });
      }
    },
  }),

  page({
    method: 'get',
    path: '/apply/done',
    guard: guard.consumer,
    handler: async ({ req, res, principal, services, render }) => {
      const result = req.session.applyResult;
      if (!result) return res.redirect(303, '/applications');
      delete req.session.applyResult;
      const created = await Promise.all(result.created.map((id) => services.applications.getForConsumer(principal.account.id, id)));
      await render('apply-done', { title: '申请结果', created, refused: result.refused as Refusal[] });
    },
  }),

  // old single-product links (after /apply/done, which it would otherwise swallow)
  page({
    method: 'get',
    path: '/apply/:productId',
    guard: guard.consumer,
    handler: ({ req, res, params }) => {
      const qs = new URLSearchParams({ products: params.productId });
      for (const k of ['amount', 'termMonths'] as const) if (typeof req.query[k] === 'string') qs.set(k, req.query[k] as string);
      res.redirect(303, `/apply?${qs}`);
    },
  }),

  page({
    method: 'get',
    path: '/applications',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      const applications = await services.applications.listForConsumer(principal.account.id);
      await render('applications', { title: '我的申请', applications });
    },
  }),
  page({ method: 'get', path: '/applications/:id', guard: guard.consumer, handler: (ctx) => showApplication(ctx) }),
  page({
    method: 'post',
    path: '/applications/:id/documents',
    guard: guard.consumer,
    before: () => [singleUpload, multipartCsrf],
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        if (!req.file) throw new ValidationError('请选择文件', { file: '请选择文件' });
        await services.documents.upload(principal.account.id, params.id, String(req.body.kind ?? ''), req.file.buffer, auditActor(req));
        req.session.flash = { kind: 'success', message: '材料已上传，加密保存' };
        res.redirect(303, `/applications/${params.id}#documents`);
      } catch (err) {
        const error = formFailure(res, err);
        await showApplication(ctx, { documentError: Object.values(error.fields ?? {}).join('；') || error.message });
      }
    },
  }),
  page({
    method: 'get',
    path: '/documents/:id',
    guard: guard.consumer,
    handler: async ({ req, res, params, principal, services }) => {
      const { row, bytes } = await services.documents.openByConsumer(principal.account.id, params.id, auditActor(req));
      res.type(row.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
  page({
    method: 'post',
    path: '/applications/:id/messages',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        await services.messages.postByConsumer(principal.account.id, params.id, String(req.body.body ?? ''));
        res.redirect(303, `/applications/${params.id}#messages`);
      } catch (err) {
        const error = formFailure(res, err);
        await showApplication(ctx, { messageError: error.fields?.body ?? error.message });
      }
    },
  }),
  page({
    method: 'post',
    path: '/applications/:id/withdraw',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        confirmed(req.body);
      } catch (err) {
        const error = formFailure(res, err);
        return showApplication(ctx, { error, withdrawError: error.fields?.confirm });
      }
      await services.applications.withdraw(principal.account.id, params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '申请已撤回' };
      res.redirect(303, `/applications/${params.id}`);
    },
  }),

  page({ method: 'get', path: '/my-data', guard: guard.consumer, handler: (ctx) => showMyData(ctx) }),
  page({
    method: 'post',
    path: '/consents/:id/withdraw',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, params, principal, services } = ctx;
      try {
        confirmed(req.body);
      } catch (err) {
        const error = formFailure(res, err);
        return showMyData(ctx, { error, confirmError: { [params.id]: error.fields?.confirm } });
      }
      await services.consents.withdraw(principal.account.id, params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '授权已撤回，该机构无法再查看你的信息' };
      res.redirect(303, '/my-data');
    },
  }),
];

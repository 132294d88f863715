import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { AppError, ValidationError } from '../../server/lib/errors';
import { formatWan, parseYuan } from '../../server/lib/money';
import { applicationBody, housingTypes, identityBody, purposes } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { confirmed } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { formIdempotent } from '../../server/http/idempotency';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { localPath } from '../../server/lib/local-path';
import { fieldErrors, parse } from '../../server/http/validate';
import { isTerminal, type Refusal } from '../../server/modules/applications';
import { creditSelfAssessment, employmentTypes, type ProductView } from '../../server/modules/catalogue';
import { documentKinds } from '../../server/modules/documents';
import { multipartCsrf } from '../../server/http/csrf';
import { singleUpload } from '../../server/http/upload';
import { releasableFields, standardApplicationFields } from '../../server/modules/consents';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : [String(v)]);

/** Profile facts an application needs; those already in the profile are not asked again. */
const profileQuestions = ['city', 'employment', 'monthlyIncome', 'housing', 'monthlyDebt', 'creditSelfAssessment'] as const;

/** Verifying identity, applying to one or many products with consent per institution, and following applications. */
export function applicationRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const consumer = kit.guards.consumer('page');

  // ── real-name verification ────────────────────────────────────────────────────────────────
  const showVerify = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'verify', {
      title: '实名认证',
      identity: await services.identity.summary(req.account!.id),
      bankCard: await services.identity.bankCard(req.account!.id),
      next: localPath(req.query.next ?? req.body?.next) ?? '',
      ...extra,
    });
  r.get('/verify', consumer, (req, res) => showVerify(req, res));
  r.post('/verify', consumer, async (req, res) => {
    try {
      const body = parse(identityBody, { realName: req.body.realName, idNumber: req.body.idNumber }, '实名信息有误');
      const summary = await services.identity.verify(req.account!.id, body, auditActor(req));
      await services.accounts.saveProfile(req.account!.id, { age: summary.age ?? null });
      req.session.flash = { kind: 'success', message: `实名认证成功：${summary.realNameMasked}` };
      res.redirect(303, localPath(req.body.next) ?? '/profile');
    } catch (err) {
      const error = formFailure(res, err);
      if (err instanceof AppError && err.code === 'id_in_use') await services.risk.flagIdPhoneMismatch(req.account!.id);
      // what was typed comes back, ID number included, beside the reason: retyping 18 digits for a one-character slip helps no one
      await showVerify(req, res, { error, values: { realName: req.body.realName, idNumber: req.body.idNumber } });
    }
  });
  r.post('/bank-card', consumer, async (req, res) => {
    try {
      await services.identity.saveBankCard(req.account!.id, String(req.body.cardNumber ?? ''), auditActor(req));
      req.session.flash = { kind: 'success', message: '银行卡已保存' };
      res.redirect(303, '/verify');
    } catch (err) {
      const error = formFailure(res, err);
      await showVerify(req, res, { cardError: error.fields?.cardNumber ?? error.message });
    }
  });
  r.post('/bank-card/reveal', consumer, async (req, res) => {
    await showVerify(req, res, { revealedCard: await services.identity.revealBankCard(req.account!.id, auditActor(req)) });
  });
  r.post('/identity/reveal', consumer, async (req, res) => {
    const clear = await services.identity.reveal(req.account!.id, auditActor(req), 'consumer revealed own identity');
    await showVerify(req, res, { revealed: clear });
  });

  // ── apply: step 1, the form (smart fill) ─────────────────────────────────────────────────
  const productsOf = (ids: string[]): ProductView[] =>
    [...new Set(ids)].slice(0, 10).flatMap((id) => {
      try {
        return [services.catalogue.getListed(id)];
      } catch {
        return [];
      }
    });

  const showApply = async (req: Request, res: Response, ids: string[], values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const products = productsOf(ids);
    if (products.length === 0) {
      req.session.flash = { kind: 'error', message: '请先选择要申请的产品' };
      return res.redirect(303, '/products');
    }
    const profile = await services.accounts.profile(req.account!.id);
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
    await render(req, res, 'apply', {
      title: '申请贷款',
      items: products.map((p, i) => {
        const wantAmount = Number(amounts[i] ?? amounts[0]);
        const wantTerm = Number(terms[i] ?? terms[0]);
        const amount = Number.isFinite(wantAmount) && wantAmount > 0 ? wantAmount : p.minAmountFen / 100;
        // the amount asked for is kept, never raised or cut behind the borrower's back: say what this product lends
        const amountNote =
          amount * 100 < p.minAmountFen ? `本产品最低借 ${formatWan(p.minAmountFen)}，请调整金额或换一款产品`
          : amount * 100 > p.maxAmountFen ? `本产品最高借 ${formatWan(p.maxAmountFen)}，请调整金额或换一款产品`
          : undefined;
        return {
          product: p,
          amount,
          amountNote,
          terms: p.termOptions.map((t) => ({ value: t, selected: t === (p.termOptions.includes(wantTerm) ? wantTerm : p.termOptions.includes(12) ? 12 : p.termOptions[0]) })),
        };
      }),
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

  r.get('/apply', consumer, async (req, res) => {
    const ids = list(req.query.products).flatMap((x) => x.split(','));
    const identity = await services.identity.summary(req.account!.id);
    if (!identity.verified) {
      req.session.flash = { kind: 'success', message: '首次申请前需要完成实名认证，只需一次' };
      return res.redirect(303, `/verify?next=${encodeURIComponent(req.originalUrl)}`);
    }
    await showApply(req, res, ids, { amount: req.query.amount, termMonths: req.query.termMonths, purpose: req.query.purpose });
  });

  // ── apply: step 2, the consent screen ────────────────────────────────────────────────────
  r.post('/apply/review', consumer, async (req, res) => {
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
      return showApply(req, res, ids, values, { error: formFailure(res, new ValidationError('请检查填写的信息', fields)) });
    }
    if (Object.keys(profilePatch).length) await services.accounts.saveProfile(req.account!.id, profilePatch);
    const profile = await services.accounts.profile(req.account!.id);
    const missing = profileQuestions.filter((q) => {
      const v = { city: profile.city, employment: profile.employment, monthlyIncome: profile.monthlyIncomeFen, housing: profile.housing, monthlyDebt: profile.monthlyDebtFen, creditSelfAssessment: profile.creditSelfAssessment }[q];
      return v === null || v === undefined;
    });
    if (missing.length) {
      return showApply(req, res, ids, values, {
        error: formFailure(res, new ValidationError('请补全申请所需的信息', Object.fromEntries(missing.map((m) => [m, '必填'])))),
      });
    }
    await render(req, res, 'consent', {
      title: '确认授权',
      items: parsed.data!.map((it) => ({ ...it, product: services.catalogue.getListed(it.productId), amountYuan: it.amount / 100 })),
      purpose: req.body.purpose,
      requests: services.submission.consentRequests(ids, req.body.purpose).map((c) => ({
        ...c,
        fieldLabels: c.fields.map((f) => releasableFields[f]),
      })),
      backHref: `/apply?${new URLSearchParams({ products: ids.join(','), purpose: String(req.body.purpose) })}`,
    });
  });

  // ── apply: submit ────────────────────────────────────────────────────────────────────────
  r.post('/apply', consumer, formIdempotent(services.idempotency), async (req, res) => {
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
        req.account!,
        { items: body.products.map((p) => ({ productId: p.productId, amountFen: p.amount, termMonths: p.termMonths })), purpose: body.purpose, consents: body.consents },
        auditActor(req),
      );
      await services.risk.recordApplications(req.account!.id, result.created, kit.device(req, res), req.ip ?? '');
      for (const id of result.created) {
        const app = await services.applications.getForConsumer(req.account!.id, id);
        services.catalogue.recordEvent(kit.visitor(req, res), 'apply', { productId: app.productId });
      }
      req.session.applyResult = { created: result.created, refused: result.refused };
      res.redirect(303, '/apply/done');
    } catch (err) {
      const error = formFailure(res, err);
      await render(req, res, 'consent', {
        title: '确认授权',
        error,
        items: ids.map((productId, i) => ({ productId, amount: list(req.body.amount)[i], termMonths: list(req.body.termMonths)[i], product: productsOf([productId])[0], amountYuan: list(req.body.amount)[i] })),
        purpose: req.body.purpose,
        requests: services.submission.consentRequests(ids, req.body.purpose).map((c) => ({ ...c, fieldLabels: c.fields.map((f) => releasableFields[f]) })),
        backHref: `/apply?${new URLSearchParams({ products: ids.join(',') })}`,
      });
    }
  });

  r.get('/apply/done', consumer, async (req, res) => {
    const result = req.session.applyResult;
    if (!result) return res.redirect(303, '/applications');
    delete req.session.applyResult;
    const created = await Promise.all(result.created.map((id) => services.applications.getForConsumer(req.account!.id, id)));
    await render(req, res, 'apply-done', { title: '申请结果', created, refused: result.refused as Refusal[] });
  });

  // old single-product links (after /apply/done, which it would otherwise swallow)
  r.get('/apply/:productId', consumer, (req, res) => {
    const qs = new URLSearchParams({ products: String(req.params.productId) });
    for (const k of ['amount', 'termMonths'] as const) if (typeof req.query[k] === 'string') qs.set(k, req.query[k] as string);
    res.redirect(303, `/apply?${qs}`);
  });

  // ── following applications ───────────────────────────────────────────────────────────────
  r.get('/applications', consumer, async (req, res) => {
    const applications = await services.applications.listForConsumer(req.account!.id);
    await render(req, res, 'applications', { title: '我的申请', applications });
  });

  const showApplication = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const app = await services.applications.getForConsumer(req.account!.id, String(req.params.id));
    const messages = await services.messages.thread(app.id);
    const documents = (await services.documents.listForApplication(app.id)).map((d) => ({ ...d, kindLabel: documentKinds[d.kind] }));
    const loanId = app.status === 'disbursed' ? await services.loans.idForApplication(app.id, { consumerId: req.account!.id }) : null;
    await render(req, res, 'application', { title: app.productName, app, loanId, messages, documents, documentKinds: Object.entries(documentKinds).map(([value, label]) => ({ value, label })), canWithdraw: !isTerminal(app.status) && app.status !== 'disbursed', ...extra });
  };
  r.get('/applications/:id', consumer, (req, res) => showApplication(req, res));
  r.post('/applications/:id/documents', consumer, singleUpload, multipartCsrf, async (req, res) => {
    try {
      if (!req.file) throw new ValidationError('请选择文件', { file: '请选择文件' });
      await services.documents.upload(req.account!.id, String(req.params.id), String(req.body.kind ?? ''), req.file.buffer, auditActor(req));
      req.session.flash = { kind: 'success', message: '材料已上传，加密保存' };
      res.redirect(303, `/applications/${String(req.params.id)}#documents`);
    } catch (err) {
      const error = formFailure(res, err);
      await showApplication(req, res, { documentError: Object.values(error.fields ?? {}).join('；') || error.message });
    }
  });
  r.get('/documents/:id', consumer, async (req, res) => {
    const { row, bytes } = await services.documents.openByConsumer(req.account!.id, String(req.params.id), auditActor(req));
    res.type(row.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(bytes);
  });

  r.post('/applications/:id/messages', consumer, async (req, res) => {
    try {
      await services.messages.postByConsumer(req.account!.id, String(req.params.id), String(req.body.body ?? ''));
      res.redirect(303, `/applications/${String(req.params.id)}#messages`);
    } catch (err) {
      const error = formFailure(res, err);
      await showApplication(req, res, { messageError: error.fields?.body ?? error.message });
    }
  });

  r.post('/applications/:id/withdraw', consumer, async (req, res) => {
    const id = String(req.params.id);
    try {
      confirmed(req.body);
    } catch (err) {
      const error = formFailure(res, err);
      return showApplication(req, res, { error, withdrawError: error.fields?.confirm });
    }
    await services.applications.withdraw(req.account!.id, id, auditActor(req));
    req.session.flash = { kind: 'success', message: '申请已撤回' };
    res.redirect(303, `/applications/${id}`);
  });

  // ── who has my data ──────────────────────────────────────────────────────────────────────
  const showMyData = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const consents = await services.consents.forConsumer(req.account!.id);
    await render(req, res, 'my-data', { title: '谁有我的数据', consents, ...extra });
  };
  r.get('/my-data', consumer, (req, res) => showMyData(req, res));
  r.post('/consents/:id/withdraw', consumer, async (req, res) => {
    try {
      confirmed(req.body);
    } catch (err) {
      const error = formFailure(res, err);
      return showMyData(req, res, { error, confirmError: { [String(req.params.id)]: error.fields?.confirm } });
    }
    await services.consents.withdraw(req.account!.id, String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '授权已撤回，该机构无法再查看你的信息' };
    res.redirect(303, '/my-data');
  });
}

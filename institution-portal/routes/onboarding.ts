import { formFailure } from '../../server/http/form-failure';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { multipartCsrf } from '../../server/http/csrf';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { licenceUpload } from '../../server/http/upload';
import { fieldErrors } from '../../server/http/validate';
import { institutionKindLabels, institutionKinds, onboardingStatusLabels } from '../../server/modules/institutions';

const phone = z.string().trim().regex(/^1[3-9]\d{9}$/, '请输入 11 位手机号');
const text = (label: string, max = 100) => z.string().trim().min(1, `请填写${label}`).max(max, `${label}不超过 ${max} 字`);

/** The join form; contacts arrive as contact0Name, contact0Phone… (up to three, the first required). */
const joinForm = z.strictObject({
  legalName: text('机构全称'),
  shortName: text('简称', 20),
  kind: z.enum(institutionKinds, { error: '请选择机构类型' }),
  unifiedCode: text('统一社会信用代码', 18),
  licenceType: text('牌照类型', 50),
  licenceNumber: text('牌照编号', 60),
  licenceExpiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择牌照到期日'),
  adminUsername: text('管理员用户名', 32),
  contact0Name: text('联系人姓名', 30),
  contact0Title: text('联系人职务', 30),
  contact0Phone: phone,
  contact0Email: z.email('请输入有效的邮箱'),
  contact1Name: z.string().trim().max(30).optional(),
  contact1Title: z.string().trim().max(30).optional(),
  contact1Phone: z.union([z.literal(''), phone]).optional(),
  contact1Email: z.union([z.literal(''), z.email('请输入有效的邮箱')]).optional(),
});

/** Public: an institution applies to join, follows its request by a secret link and answers questions. */
export function onboardingRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const kinds = institutionKinds.map((value) => ({ value, label: institutionKindLabels[value] }));
  const showForm = (req: Request, res: Response, extra: Record<string, unknown> = {}) => render(req, res, 'join', { title: '机构入驻申请', kinds, values: {}, ...extra });

  r.get('/join', kit.guards.public, (req, res) => showForm(req, res));
  r.post('/join', kit.guards.public, kit.limits.register, licenceUpload, multipartCsrf, async (req, res) => {
    const values = { ...req.body } as Record<string, string>;
    delete values._csrf;
    try {
      const parsed = joinForm.safeParse(values);
      if (!parsed.success) throw new ValidationError('入驻申请信息有误', fieldErrors(parsed.error));
      const f = parsed.data;
      const contacts = [{ name: f.contact0Name, title: f.contact0Title, phone: f.contact0Phone, email: f.contact0Email }];
      if (f.contact1Name && f.contact1Phone) contacts.push({ name: f.contact1Name, title: f.contact1Title ?? '', phone: f.contact1Phone, email: f.contact1Email ?? '' });
      const { token } = await services.onboarding.submit(
        { legalName: f.legalName, shortName: f.shortName, kind: f.kind, unifiedCode: f.unifiedCode, licenceType: f.licenceType, licenceNumber: f.licenceNumber, licenceExpiresOn: f.licenceExpiresOn, adminUsername: f.adminUsername, contacts },
        req.file?.buffer,
      );
      req.session.flash = { kind: 'success', message: '入驻申请已提交。请收藏本页链接，用它查看审核进度、回复平台的问题。' };
      res.redirect(303, `/partner/join/${token}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showForm(req, res, { error, values });
    }
  });

  const showStatus = async (req: Request, res: Response, token: string, extra: Record<string, unknown> = {}) => {
    const { onboarding, messages } = await services.onboarding.byToken(token);
    const inviteToken = await services.onboarding.pendingInviteToken(onboarding);
    await render(req, res, 'join-status', {
      title: '入驻申请进度',
      onboarding,
      stageLabel: onboardingStatusLabels[onboarding.status],
      kindLabel: institutionKindLabels[onboarding.kind],
      messages,
      canReply: onboarding.status === 'submitted' || onboarding.status === 'more_info_requested',
      inviteUrl: inviteToken ? `/partner/invite/${inviteToken}` : undefined,
      token,
      ...extra,
    });
  };
  r.get('/join/:token', kit.guards.public, (req, res) => showStatus(req, res, String(req.params.token)));
  r.post('/join/:token/reply', kit.guards.public, async (req, res) => {
    const token = String(req.params.token);
    try {
      await services.onboarding.reply(token, String(req.body.body ?? ''));
    } catch (err) {
      const error = formFailure(res, err);
      return showStatus(req, res, token, { error, reply: req.body.body });
    }
    req.session.flash = { kind: 'success', message: '已回复，平台会尽快继续审核' };
    res.redirect(303, `/partner/join/${token}`);
  });
}

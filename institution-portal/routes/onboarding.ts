import { formFailure } from '../../server/http/form-failure';
import { z } from 'zod';
import { ValidationError } from '../../server/lib/errors';
import { multipartCsrf } from '../../server/http/csrf';
import { guard, page, type PageContext } from '../../server/http/page-route';
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

type PublicPage = Pick<PageContext<typeof guard.public, string, undefined>, 'services' | 'render'>;

const kinds = institutionKinds.map((value) => ({ value, label: institutionKindLabels[value] }));
const showForm = ({ render }: PublicPage, extra: Record<string, unknown> = {}) => render('join', { title: '机构入驻申请', kinds, values: {}, ...extra });

const showStatus = async ({ services, render }: PublicPage, token: string, extra: Record<string, unknown> = {}) => {
  const { onboarding, messages } = await services.onboarding.byToken(token);
  const inviteToken = await services.onboarding.pendingInviteToken(onboarding);
  await render('join-status', {
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

/** Public: an institution applies to join, follows its request by a secret link and answers questions. */
export const onboardingPages = [
  page({ method: 'get', path: '/join', guard: guard.public, handler: (ctx) => showForm(ctx) }),
  page({
    method: 'post',
    path: '/join',
    guard: guard.public,
    before: (kit) => [kit.limits.register, licenceUpload, multipartCsrf],
    handler: async (ctx) => {
      const { services, req, res } = ctx;
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
        await showForm(ctx, { error, values });
      }
    },
  }),
  page({ method: 'get', path: '/join/:token', guard: guard.public, handler: (ctx) => showStatus(ctx, ctx.params.token) }),
  page({
    method: 'post',
    path: '/join/:token/reply',
    guard: guard.public,
    handler: async (ctx) => {
      const { params, services, req, res } = ctx;
      try {
        await services.onboarding.reply(params.token, String(req.body.body ?? ''));
      } catch (err) {
        const error = formFailure(res, err);
        return showStatus(ctx, params.token, { error, reply: req.body.body });
      }
      req.session.flash = { kind: 'success', message: '已回复，平台会尽快继续审核' };
      res.redirect(303, `/partner/join/${params.token}`);
    },
  }),
];

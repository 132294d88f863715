import { formFailure } from '../../server/http/form-failure';
import { confirmed } from '../../server/http/confirm';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { approvedPublicFields, institutionKindLabels, onboardingChecklist, onboardingStatusLabels, onboardingStatuses, type OnboardingStatus } from '../../server/modules/institutions';
import { productStatusLabels } from '../../server/modules/products';
import type { PageTools } from './application-page';

/** The fields of the operator's edit form of an institution, with the reason. */
const detailFields = ['name', 'shortName', 'description', 'regulator', 'servicePhone', 'serviceHours', 'reason'] as const;

const licenceLabels = { valid: '有效', expiring: '即将到期', lapsed: '已到期', unknown: '未登记' } as const;

async function showOnboarding({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const { onboarding, messages } = await services.onboarding.getForOperator(id, auditActor(req));
  await render('onboarding', {
    title: onboarding.legalName,
    onboarding,
    // contacts' personal data is sealed; reviewers see it masked, as elsewhere
    contacts: onboarding.contacts.map((c) => ({ name: c.nameMasked, title: c.title, phone: c.phoneMasked, email: c.emailMasked })),
    stageLabel: onboardingStatusLabels[onboarding.status],
    kindLabel: institutionKindLabels[onboarding.kind],
    open: onboarding.status === 'submitted' || onboarding.status === 'more_info_requested',
    checklist: onboardingChecklist(onboarding, new Date()),
    licenceIsImage: onboarding.licenceFileType.startsWith('image/'),
    messages,
    ...extra,
  });
}

async function showInstitution({ services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const institution = await services.institutions.get(id);
  const [licence, staff, products] = await Promise.all([
    services.licences.stateOf(institution),
    services.staff.members({ kind: 'institution', institutionId: institution.id }),
    services.catalogue.listForInstitution(institution.id),
  ]);
  await render('institution', {
    title: institution.shortName,
    institution,
    kindLabel: institutionKindLabels[institution.kind],
    licence,
    licenceLabel: licenceLabels[licence.state],
    staff: staff.map((m) => ({ ...m, roleLabel: m.roleName })),
    products: products.map((p) => ({ ...p, statusText: productStatusLabels[p.status] })),
    values: { licenceNumber: institution.licenceNumber ?? '', licenceExpiresOn: institution.licenceExpiresOn ?? '' },
    details: { name: institution.name, shortName: institution.shortName, ...approvedPublicFields(institution), reason: '' },
    ...extra,
  });
}

const onboardingDone = { approve: '已通过：机构已创建，管理员激活链接已发送', reject: '已拒绝', 'request-info': '已请对方补充材料' } as const;

/** Onboarding review (`/admin/onboarding`) and the institutions with their licences (`/admin/institutions`). */
export const institutionPages = [
  page({
    method: 'get',
    path: '/onboarding',
    guard: guard.operator('institutions.review'),
    handler: async ({ req, services, render }) => {
      const status = (onboardingStatuses as readonly string[]).includes(String(req.query.status)) ? (req.query.status as OnboardingStatus) : undefined;
      const rows = await services.onboarding.list(status);
      await render('onboarding-queue', {
        title: '入驻审核',
        rows: rows.map((o) => ({ ...o, stageLabel: onboardingStatusLabels[o.status], kindLabel: institutionKindLabels[o.kind] })),
        statuses: onboardingStatuses.map((value) => ({ value, label: onboardingStatusLabels[value], selected: value === status })),
      });
    },
  }),
  page({ method: 'get', path: '/onboarding/:id', guard: guard.operator('institutions.review'), handler: (ctx) => showOnboarding(ctx, ctx.params.id) }),
  page({
    method: 'get',
    path: '/onboarding/:id/licence',
    guard: guard.operator('institutions.review'),
    handler: async ({ params, req, res, services }) => {
      const file = await services.onboarding.licenceFile(params.id, auditActor(req));
      res.type(file.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'no-store').send(file.bytes);
    },
  }),
  ...(['approve', 'reject', 'request-info'] as const).map((action) =>
    page({
      method: 'post',
      path: `/onboarding/:id/${action}`,
      guard: guard.operator('institutions.review'),
      handler: async (ctx) => {
        const { params, req, res, services } = ctx;
        const id = params.id;
        const body = String(req.body.body ?? '');
        try {
          if (action === 'approve') {
            confirmed(req.body);
            await services.onboarding.approve(id, auditActor(req));
          } else if (action === 'reject') {
            confirmed(req.body);
            await services.onboarding.reject(id, body, auditActor(req));
          }
          else await services.onboarding.requestInfo(id, body, auditActor(req));
        } catch (err) {
          const error = formFailure(res, err);
          // what was typed stays in the form it was typed in; the reason shows beside the field
          return showOnboarding(ctx, id, {
            error,
            body: action === 'request-info' ? body : '',
            rejectBody: action === 'reject' ? body : '',
            rejectError: action === 'reject' ? error.fields?.body : undefined,
            confirmError: { [action]: error.fields?.confirm },
          });
        }
        req.session.flash = { kind: 'success', message: onboardingDone[action] };
        res.redirect(303, `/admin/onboarding/${id}`);
      },
    }),
  ),
  page({
    method: 'get',
    path: '/institutions',
    guard: guard.operator('institutions.review'),
    handler: async ({ services, render }) => {
      const institutions = await services.institutions.list();
      const rows = await Promise.all(
        institutions.map(async (i) => {
          const licence = await services.licences.stateOf(i);
          return { ...i, kindLabel: institutionKindLabels[i.kind], licence, licenceLabel: licenceLabels[licence.state] };
        }),
      );
      await render('institutions', { title: '机构', rows, openOnboardings: await services.onboarding.countOpen() });
    },
  }),
  page({ method: 'get', path: '/institutions/:id', guard: guard.operator('institutions.review'), handler: (ctx) => showInstitution(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/institutions/:id/licence',
    guard: guard.operator('institutions.review'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const values = { licenceNumber: String(req.body.licenceNumber ?? ''), licenceExpiresOn: String(req.body.licenceExpiresOn ?? '') };
      try {
        await services.licences.renew(params.id, values, auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return showInstitution(ctx, params.id, { error, values });
      }
      req.session.flash = { kind: 'success', message: '牌照信息已更新；已暂停的产品需机构自行恢复' };
      res.redirect(303, `/admin/institutions/${params.id}`);
    },
  }),
  page({
    method: 'post',
    path: '/institutions/:id/details',
    guard: guard.operator('institutions.edit'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const details = Object.fromEntries(detailFields.map((k) => [k, String(req.body[k] ?? '')])) as Record<(typeof detailFields)[number], string>;
      const { reason, ...changes } = details;
      try {
        await services.institutions.editDetails(params.id, changes, reason, auditActor(req));
      } catch (err) {
        const detailsError = formFailure(res, err);
        return showInstitution(ctx, params.id, { detailsError, details });
      }
      req.session.flash = { kind: 'success', message: '机构信息已更新，已记入审计日志' };
      res.redirect(303, `/admin/institutions/${params.id}`);
    },
  }),
  page({
    method: 'post',
    path: '/institutions/licence-check',
    guard: guard.operator('institutions.review'),
    handler: async ({ req, res, services }) => {
      const result = await services.licences.enforce();
      req.session.flash = { kind: 'success', message: `检查完成：${result.warned.length} 家即将到期已提示，${result.lapsed.length} 家已到期并暂停产品` };
      res.redirect(303, '/admin/institutions');
    },
  }),
];

import { z } from 'zod';
import { auditActor } from '../../audit-actor';
import { channelRoles } from '../../../modules/accounts';
import { guard, route, type ApiRoute } from '../route-table';

const instant = z.string().describe('ISO 8601 instant');
const staffJson = z.object({ id: z.string(), loginMasked: z.string(), role: z.string(), roleLabel: z.string(), status: z.string(), lastLoginAt: instant.nullable(), createdAt: instant });
const staffListResponse = z.object({ items: z.array(staffJson) });
const createStaffBody = z.strictObject({
  username: z.string().max(64),
  displayName: z.string().max(60),
  role: z.enum(channelRoles, { error: `角色须为 ${channelRoles.join(' 或 ')}` }),
});
const createdResponse = z.object({ account: z.object({ id: z.string(), loginMasked: z.string(), role: z.string() }), oneTimePassword: z.string().describe('shown once; the person must set their own password at first login') });

const manage = guard.operator('staff.manage');
const toJson = (s: { id: string; loginMasked: string; role: string; roleLabel: string; status: string; lastLoginAt: Date | null; createdAt: Date }) => ({
  ...s,
  lastLoginAt: s.lastLoginAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});

/** `/api/admin/v1/channels/:id/staff`: logins of a channel partner's people (permission staff.manage). */
export const adminChannelStaffRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/channels/:id/staff',
    guard: manage,
    summary: 'The staff accounts of a channel partner',
    response: staffListResponse,
    responseDescription: '{ items }',
    handler: async ({ params, services }) => ({ items: (await services.channelPortal.staff(params.id)).map(toJson) }),
  }),
  route({
    method: 'post',
    path: '/channels/:id/staff',
    guard: manage,
    summary: 'Give a channel partner’s person a login: a one-time password, shown once (audited)',
    body: createStaffBody,
    bodyError: '渠道账号信息有误',
    status: 201,
    errors: [409],
    response: createdResponse,
    responseDescription: '{ account, oneTimePassword }',
    handler: async ({ params, body, services, req }) => {
      const created = await services.channelPortal.createStaff(params.id, body, auditActor(req));
      return { account: { id: created.account.id, loginMasked: created.account.loginMasked, role: created.account.role }, oneTimePassword: created.oneTimePassword };
    },
  }),
];

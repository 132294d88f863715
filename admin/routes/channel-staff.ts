import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { z } from 'zod';
import { channelRoles, roleLabels } from '../../server/modules/accounts';

const manage = guard.operator('staff.manage');
const channelQuery = z.object({ channelId: z.string().max(64).optional().catch(undefined) });
const roles = channelRoles.map((value) => ({ value, label: roleLabels[value] }));

/**
 * `/admin/channel-staff`: logins for channel partners' people. An operator picks the channel,
 * the username, the name and the role; the one-time password is shown once (the person sets
 * their own at first login, and a channel admin must set up two-step verification).
 */
export const channelStaffPages = [
  page({
    method: 'get',
    path: '/channel-staff',
    guard: manage,
    query: channelQuery,
    handler: async ({ query, services, render }) => {
      const channels = await services.channels.list();
      const current = channels.find((c) => c.id === query.channelId) ?? channels[0];
      await render('channel-staff', { title: '渠道方账号', channels, current, roles, staff: current ? await services.channelPortal.staff(current.id) : [] });
    },
  }),
  page({
    method: 'post',
    path: '/channel-staff',
    guard: manage,
    handler: async ({ req, res, services, render }) => {
      const channels = await services.channels.list();
      const current = channels.find((c) => c.id === req.body.channelId);
      const values = { username: String(req.body.username ?? ''), displayName: String(req.body.displayName ?? ''), role: String(req.body.role ?? '') };
      try {
        if (!current) {
          res.status(404);
          return await render('channel-staff', { title: '渠道方账号', channels, roles, staff: [], error: { message: '渠道不存在', fields: { channelId: '请选择渠道' } } });
        }
        const created = await services.channelPortal.createStaff(current.id, values, auditActor(req));
        await render('channel-staff', { title: '渠道方账号', channels, current, roles, staff: await services.channelPortal.staff(current.id), created: { loginMasked: created.account.loginMasked, oneTimePassword: created.oneTimePassword } });
      } catch (err) {
        const error = formFailure(res, err);
        await render('channel-staff', { title: '渠道方账号', channels, current, roles, staff: current ? await services.channelPortal.staff(current.id) : [], values, error });
      }
    },
  }),
];

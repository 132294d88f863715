import { ValidationError } from '../../../lib/errors';
import { auditActor } from '../../audit-actor';
import { destroySession } from '../../session-login';
import { guard, route, type ApiRoute } from '../route-table';
import {
  bankCardBody,
  bankCardResponse,
  bankCardRevealResponse,
  closeAccountBody,
  contactBlockBody,
  contactPreferencesBody,
  contactPreferencesResponse,
  exportResponse,
  identityBody,
  identityRevealResponse,
  identitySummaryResponse,
  notificationsResponse,
  profileChanges,
  profileUpdateBody,
} from './account.schemas';
import { accountJson, profileJson } from '../serializers';
import { accountResponse, profileResponse } from '../responses';

/** `/api/v1`: the consumer's own account: notifications, profile, contact preferences, identity, bank card, data rights. */
export const consumerAccountRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/notifications',
    guard: guard.consumer,
    summary: 'In-app notifications',
    responseDescription: '{ unread, items: [{ id, kind, title, body, link, read, at }] }',
    response: notificationsResponse,
    handler: async ({ principal: { account }, services }) => {
      const [items, unread] = await Promise.all([services.notifications.list(account.id), services.notifications.unreadCount(account.id)]);
      return { unread, items: items.map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read: n.readAt !== null, at: n.createdAt })) };
    },
  }),
  route({
    method: 'post',
    path: '/notifications/read',
    guard: guard.consumer,
    summary: 'Mark every notification read',
    status: 204,
    handler: async ({ principal: { account }, services }) => {
      await services.notifications.markAllRead(account.id);
    },
  }),
  route({
    method: 'get',
    path: '/me',
    guard: guard.consumer,
    summary: 'The signed-in consumer',
    response: accountResponse,
    responseDescription: '{ account }',
    handler: ({ principal: { account } }) => ({ account: accountJson(account) }),
  }),
  route({
    method: 'get',
    path: '/profile',
    guard: guard.consumer,
    summary: 'The consumer’s profile',
    responseDescription: 'Profile',
    response: profileResponse,
    handler: async ({ principal: { account }, services }) => profileJson(await services.accounts.profile(account.id)),
  }),
  route({
    method: 'put',
    path: '/profile',
    guard: guard.consumer,
    summary: 'Save the consumer’s profile: the fields sent are saved, null clears one, fields not sent are kept',
    body: profileUpdateBody,
    bodyError: '资料有误',
    responseDescription: 'Profile',
    response: profileResponse,
    handler: async ({ body, principal: { account }, services, req }) => profileJson(await services.accounts.updateProfile(account.id, profileChanges(body), auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/me/export',
    guard: guard.consumer,
    summary: 'Everything held about the consumer, as JSON (audited)',
    responseDescription: 'Export',
    response: exportResponse,
    handler: async ({ principal: { account }, services, req, res }) => {
      const data = await services.dataRights.export(account.id, auditActor(req));
      res.set('Content-Disposition', 'attachment; filename="daichao-my-data.json"');
      return data;
    },
  }),
  route({
    method: 'post',
    path: '/me/close',
    guard: guard.consumer,
    summary: 'Close the account (password; nothing in progress)',
    body: closeAccountBody,
    bodyError: '注销信息有误',
    status: 204,
    handler: async ({ body, principal: { account }, services, req, res }) => {
      await services.dataRights.close(account.id, body.password, auditActor(req));
      await destroySession(req);
      res.clearCookie('dc.sid');
    },
  }),
  route({
    method: 'get',
    path: '/contact-preferences',
    guard: guard.consumer,
    summary: 'Channels, quiet hours and institutions asked to stop contacting',
    responseDescription: 'Contact preferences',
    response: contactPreferencesResponse,
    handler: async ({ principal: { account }, services }) => services.accounts.contactPreferences(account.id),
  }),
  route({
    method: 'put',
    path: '/contact-preferences',
    guard: guard.consumer,
    summary: 'Save contact preferences',
    body: contactPreferencesBody,
    bodyError: '联系偏好有误',
    responseDescription: 'Contact preferences',
    response: contactPreferencesResponse,
    handler: async ({ body, principal: { account }, services }) => services.accounts.saveContactPreferences(account.id, body),
  }),
  route({
    method: 'post',
    path: '/contact-preferences/blocks',
    guard: guard.consumer,
    summary: '"Stop contacting me" for one institution, or undo',
    body: contactBlockBody,
    responseDescription: 'Contact preferences',
    response: contactPreferencesResponse,
    handler: async ({ body, principal: { account }, services }) => {
      await services.institutions.get(body.institutionId).catch(() => {
        throw new ValidationError('机构不存在', { institutionId: '机构不存在' });
      });
      await services.accounts.setContactBlock(account.id, body.institutionId, body.blocked);
      return services.accounts.contactPreferences(account.id);
    },
  }),
  route({
    method: 'get',
    path: '/identity',
    guard: guard.consumer,
    summary: 'Real-name verification status (masked)',
    responseDescription: '{ verified, realNameMasked, idNumberMasked, age }',
    response: identitySummaryResponse,
    handler: async ({ principal: { account }, services }) => services.identity.summary(account.id),
  }),
  route({
    method: 'post',
    path: '/identity',
    guard: guard.consumer,
    summary: 'Verify real name and resident ID number (checksum, provider); once per person',
    body: identityBody,
    bodyError: '实名信息有误',
    status: 201,
    errors: [409],
    responseDescription: 'Identity summary',
    response: identitySummaryResponse,
    handler: async ({ body, principal: { account }, services, req }) => services.identity.verify(account.id, body, auditActor(req)),
  }),
  route({
    method: 'get',
    path: '/bank-card',
    guard: guard.consumer,
    summary: 'The consumer’s bank card for disbursement (masked)',
    responseDescription: '{ bankCard }',
    response: bankCardResponse,
    handler: async ({ principal: { account }, services }) => ({ bankCard: await services.identity.bankCard(account.id) }),
  }),
  route({
    method: 'put',
    path: '/bank-card',
    guard: guard.consumer,
    summary: 'Save the bank card (checked, stored encrypted, audited)',
    body: bankCardBody,
    bodyError: '银行卡信息有误',
    responseDescription: '{ bankCard }',
    response: bankCardResponse,
    handler: async ({ body, principal: { account }, services, req }) => ({ bankCard: await services.identity.saveBankCard(account.id, body.cardNumber, auditActor(req)) }),
  }),
  route({
    method: 'post',
    path: '/bank-card/reveal',
    guard: guard.consumer,
    summary: 'The consumer reveals their own card number (audited)',
    responseDescription: '{ cardNumber }',
    response: bankCardRevealResponse,
    handler: async ({ principal: { account }, services, req }) => ({ cardNumber: await services.identity.revealBankCard(account.id, auditActor(req)) }),
  }),
  route({
    method: 'post',
    path: '/identity/reveal',
    guard: guard.consumer,
    summary: 'The consumer reveals their own ID number (audited)',
    responseDescription: '{ realName, idNumber }',
    response: identityRevealResponse,
    handler: async ({ principal: { account }, services, req }) => services.identity.reveal(account.id, auditActor(req), 'consumer revealed own identity'),
  }),
];

import { OTP_RESEND_SECONDS } from '../../../modules/accounts';
import { requestOrigin } from '../../request-origin';
import { registerAgreeing } from '../../agreements';
import { establishLogin } from '../../session-login';
import { guard, route, type ApiRoute } from '../route-table';
import { registerBody, resetPasswordBody, smsCodeBody, smsCodeSentResponse, smsLoginBody } from '../shared/auth.schemas';
import { accountJson } from '../serializers';
import { loginRoutes, ownAccountRoutes } from '../shared/auth.routes';
import { accountResponse } from '../responses';

/** `/api/v1/auth…`: SMS codes, registration, logging in and out, passwords. */
export const consumerAuthRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/auth/sms-code',
    guard: guard.public,
    summary: 'Send a one-time SMS code (register, reset_password or login; for an unknown number nothing is sent but the answer is the same); one a minute, ten a day per number',
    body: smsCodeBody,
    rateLimit: (limits) => limits.smsCode,
    status: 202,
    responseDescription: '{ sent, resendAfterSeconds }',
    response: smsCodeSentResponse,
    handler: async ({ body, services }) => {
      await services.accounts.requestCode(body.phone, body.purpose);
      return { sent: true, resendAfterSeconds: OTP_RESEND_SECONDS };
    },
  }),
  route({
    method: 'post',
    path: '/auth/register',
    guard: guard.public,
    summary: 'Register a consumer and log in; `agreements` carries the versions of the 用户协议 and 隐私政策 agreed to (GET /legal/agreements): missing is a 400, not the versions in force a 409 agreements_changed',
    body: registerBody,
    bodyError: '注册信息有误',
    response: accountResponse,
    rateLimit: (limits) => limits.register,
    status: 201,
    errors: [409],
    responseDescription: '{ account }',
    handler: async ({ body, services, kit, req, res }) => {
      const account = await registerAgreeing(services, body, requestOrigin(kit, req, res, 'api'));
      await establishLogin(req, account);
      return { account: accountJson(account) };
    },
  }),
  ...loginRoutes('consumer'),
  route({
    method: 'post',
    path: '/auth/sms-login',
    guard: guard.public,
    summary: 'Consumer login with an SMS code (sms-code with purpose login first): also while a password throttle holds',
    response: accountResponse,
    body: smsLoginBody,
    bodyError: '登录信息有误',
    rateLimit: (limits) => limits.login,
    errors: [401],
    responseDescription: '{ account }',
    handler: async ({ body, services, req }) => {
      const account = await services.accounts.loginWithCode(body.phone, body.code);
      await establishLogin(req, account);
      return { account: accountJson(account) };
    },
  }),
  route({
    method: 'post',
    path: '/auth/password/reset',
    guard: guard.public,
    summary: 'Reset a forgotten password with an SMS code; every session ends',
    body: resetPasswordBody,
    bodyError: '重置信息有误',
    rateLimit: (limits) => limits.register,
    status: 204,
    handler: async ({ body, services }) => {
      await services.accounts.resetPassword(body);
    },
  }),
  ...ownAccountRoutes('consumer', guard.consumer),
];

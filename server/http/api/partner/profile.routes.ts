import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { profileDraftJson, profileDraftResponse, publicFieldsBody, publicFieldsResponse } from '../shared/institution-profiles.schemas';
import { z } from 'zod';

const manage = guard.institution('profile.manage');

/** `/api/partner/v1/profile`: the institution's public information and its drafts, reviewed by an operator before they show. */
export const partnerProfileRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/profile',
    guard: manage,
    summary: 'The approved public information (what the public page shows) and every draft of it, newest first',
    responseDescription: '{ approved, drafts }',
    response: z.object({ approved: publicFieldsResponse, drafts: z.array(profileDraftResponse) }),
    handler: async ({ principal, services }) => {
      const own = await services.lenderProfiles.ownProfile(principal.institutionId);
      return { approved: own.fields, drafts: own.drafts.map(profileDraftJson) };
    },
  }),
  route({
    method: 'post',
    path: '/profile/drafts',
    guard: manage,
    summary: 'Submit a change of the public information for review (every field required); the public page keeps the approved one until an operator approves. 409 while another draft is in review or when nothing changed',
    body: publicFieldsBody,
    bodyError: '公开信息有误',
    status: 201,
    errors: [409],
    responseDescription: 'Draft',
    response: profileDraftResponse,
    handler: async ({ body, principal, services, req }) => profileDraftJson(await services.lenderProfiles.submitDraft(principal.institutionId, body, auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/profile/drafts/:id',
    guard: manage,
    summary: "One of the institution's own drafts with its outcome (another institution's is 404)",
    responseDescription: 'Draft',
    response: profileDraftResponse,
    handler: async ({ params, principal, services }) => profileDraftJson(await services.lenderProfiles.ownDraft(principal.institutionId, params.id)),
  }),
];

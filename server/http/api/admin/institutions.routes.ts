import { z } from 'zod';
import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import {
  draftDecisionBody,
  fieldChangeResponse,
  institutionDetailsBody,
  profileDraftJson,
  profileDraftResponse,
  publicFieldsResponse,
  userDetailsBody,
} from '../shared/institution-profiles.schemas';
import { approvedPublicFields, type Institution } from '../../../modules/institutions';

const review = guard.operator('institutions.review');

const institutionResponse = z.object({ id: z.string(), name: z.string(), shortName: z.string(), kind: z.string(), status: z.string(), ...publicFieldsResponse.shape });
const institutionJson = (i: Institution) => ({ id: i.id, name: i.name, shortName: i.shortName, kind: i.kind, status: i.status, ...approvedPublicFields(i) });

/** `/api/admin/v1`: reviewing institutions' drafts of their public pages, and operators' edits of institutions and users. */
export const adminInstitutionRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/profile-drafts',
    guard: review,
    summary: "Institutions' drafts of their public information waiting for review, oldest first (permission institutions.review)",
    responseDescription: '{ items }',
    response: z.object({ items: z.array(profileDraftResponse.extend({ institutionName: z.string() })) }),
    handler: async ({ services }) => ({ items: (await services.lenderProfiles.reviewQueue()).map((q) => ({ ...profileDraftJson(q.draft), institutionName: q.institutionName })) }),
  }),
  route({
    method: 'get',
    path: '/profile-drafts/:id',
    guard: review,
    summary: 'One draft beside the approved information, field by field (the view is audited)',
    responseDescription: '{ draft, institution, diff }',
    response: z.object({ draft: profileDraftResponse, institution: institutionResponse, diff: z.array(fieldChangeResponse) }),
    handler: async ({ params, services, req }) => {
      const detail = await services.lenderProfiles.reviewDetail(params.id, auditActor(req));
      return { draft: profileDraftJson(detail.draft), institution: institutionJson(detail.institution), diff: detail.diff };
    },
  }),
  route({
    method: 'post',
    path: '/profile-drafts/:id/approve',
    guard: review,
    summary: 'Approve a draft: the public page shows it from now on (409 when already decided)',
    body: draftDecisionBody,
    bodyError: '审核意见有误',
    errors: [409],
    responseDescription: 'Draft',
    response: profileDraftResponse,
    handler: async ({ params, body, services, req }) => profileDraftJson(await services.lenderProfiles.approve(params.id, body.comment ?? '', auditActor(req))),
  }),
  route({
    method: 'post',
    path: '/profile-drafts/:id/reject',
    guard: review,
    summary: 'Reject a draft with a reason (comment, required) the institution reads; the public page is unchanged (409 when already decided)',
    body: draftDecisionBody,
    bodyError: '审核意见有误',
    errors: [409],
    responseDescription: 'Draft',
    response: profileDraftResponse,
    handler: async ({ params, body, services, req }) => profileDraftJson(await services.lenderProfiles.reject(params.id, body.comment ?? '', auditActor(req))),
  }),
  route({
    method: 'patch',
    path: '/institutions/:id',
    guard: guard.operator('institutions.edit'),
    summary: "Edit an institution's names and public information with a reason (permission institutions.edit): fields sent are saved, fields left out kept; audited with before and after. 409 when another institution has the name or nothing changed",
    body: institutionDetailsBody,
    bodyError: '机构信息有误',
    errors: [409],
    responseDescription: 'Institution',
    response: institutionResponse,
    handler: async ({ params, body: { reason, ...changes }, services, req }) => institutionJson(await services.institutions.editDetails(params.id, changes, reason, auditActor(req))),
  }),
  route({
    method: 'patch',
    path: '/users/:id',
    guard: guard.operator('users.edit'),
    summary: "Edit a user's name or a consumer's mobile number (their login) with a reason (permission users.edit); both stay encrypted, answered masked, audited with before and after masked. 409 naming phone when another consumer uses the number",
    body: userDetailsBody,
    bodyError: '用户信息有误',
    errors: [409],
    responseDescription: 'User (masked)',
    response: z.object({ id: z.string(), kind: z.string(), role: z.string(), displayName: z.string().describe("a consumer's masked"), loginMasked: z.string(), status: z.string() }),
    handler: async ({ params, body: { reason, ...changes }, services, req }) => {
      const u = await services.staff.editDetails(params.id, changes, reason, auditActor(req));
      return { id: u.id, kind: u.kind, role: u.role, displayName: u.displayName, loginMasked: u.loginMasked, status: u.status };
    },
  }),
];

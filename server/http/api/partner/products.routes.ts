import type { ProductView } from '../../../modules/catalogue';
import { productStatusLabels, type ProductVersion } from '../../../modules/products';
import { auditActor } from '../../audit-actor';
import type { InstitutionPrincipal } from '../../guards';
import { productBody, reasonBody } from '../../product-input';
import { guard, route, type ApiRoute } from '../route-table';
import { productJson } from '../serializers';
import type { Request } from 'express';
import { listingDetailResponse, listingListResponse, listingResponse, productVersionResponse } from './products.schemas';

function versionJson(v: ProductVersion) {
  return {
    id: v.id,
    version: v.version,
    status: v.status,
    apr: { min: Number(v.aprMin), max: Number(v.aprMax) },
    submittedAt: v.submittedAt,
    reviewedAt: v.reviewedAt,
    reviewComment: v.reviewComment,
    checklist: v.checklist,
  };
}

const listingJson = (p: ProductView, latest?: ProductVersion) => ({
  ...productJson(p),
  status: p.status,
  statusLabel: productStatusLabels[p.status],
  latestVersion: latest ? versionJson(latest) : null,
});

/** The audit actor of an institution call, typed as one (the product service records institution actors). */
const actorOf = (req: Request, principal: InstitutionPrincipal) => ({ ...auditActor(req), kind: 'institution' as const, id: principal.account.id });

const manage = guard.institution('products.manage');

/** `/api/partner/v1/products`: the same listing work as the portal pages, as JSON. */
export const partnerProductRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/products',
    guard: manage,
    summary: 'The institution’s products with status, all-in APR range and newest version',
    responseDescription: '{ items }',
    response: listingListResponse,
    handler: async ({ principal, services }) => ({
      items: (await services.products.listForInstitution(principal.institutionId)).map(({ product, latest }) => listingJson(product, latest)),
    }),
  }),
  route({
    method: 'post',
    path: '/products',
    guard: manage,
    summary: 'Create a product as a draft (version 1); the all-in APR range is computed from every fee',
    body: productBody,
    bodyError: '产品信息有误',
    status: 201,
    responseDescription: 'Product with latestVersion',
    response: listingResponse,
    handler: async ({ body, principal, services, req }) => {
      const { product, version } = await services.products.createDraft(principal.institutionId, body, actorOf(req, principal));
      return listingJson(await services.catalogue.get(product.id), version);
    },
  }),
  route({
    method: 'get',
    path: '/products/:id',
    guard: manage,
    summary: 'One product with every version (reviewer comments, checklist) and its status history (pause reasons)',
    responseDescription: 'Product',
    response: listingDetailResponse,
    handler: async ({ params, principal, services: { products } }) => {
      const product = await products.ownProduct(principal.institutionId, params.id);
      const [versions, history] = await Promise.all([products.versions(product.id), products.statusHistory(product.id)]);
      return {
        ...listingJson(product, versions[0]),
        versions: versions.map(versionJson),
        statusHistory: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, reason: h.reason, by: h.actorKind, at: h.createdAt })),
      };
    },
  }),
  route({
    method: 'put',
    path: '/products/:id',
    guard: manage,
    summary: 'Save a new draft version; a listed product keeps serving its approved version until this one is approved. 409 while a version is in review',
    body: productBody,
    bodyError: '产品信息有误',
    errors: [409],
    responseDescription: 'Version',
    response: productVersionResponse,
    handler: async ({ params, body, principal, services, req }) => versionJson(await services.products.saveDraft(principal.institutionId, params.id, body, actorOf(req, principal))),
  }),
  route({
    method: 'post',
    path: '/products/:id/submit',
    guard: manage,
    summary: 'Submit the newest draft version for review',
    errors: [409],
    responseDescription: 'Version',
    response: productVersionResponse,
    handler: async ({ params, principal, services, req }) => versionJson(await services.products.submit(principal.institutionId, params.id, actorOf(req, principal))),
  }),
  route({
    method: 'post',
    path: '/products/:id/pause',
    guard: manage,
    summary: 'Pause a listed product, with a reason',
    body: reasonBody,
    bodyError: '请填写暂停原因',
    errors: [409],
    responseDescription: 'Product',
    response: listingResponse,
    handler: async ({ params, body, principal, services: { products }, req }) => {
      await products.ownProduct(principal.institutionId, params.id);
      await products.pause(params.id, body.reason, actorOf(req, principal), principal.institutionId);
      return listingJson(await products.ownProduct(principal.institutionId, params.id));
    },
  }),
  route({
    method: 'post',
    path: '/products/:id/resume',
    guard: manage,
    summary: 'Resume a product the institution paused (an operator’s pause is lifted by operators only)',
    errors: [409],
    responseDescription: 'Product',
    response: listingResponse,
    handler: async ({ params, principal, services: { products }, req }) => {
      await products.resume(params.id, actorOf(req, principal), principal.institutionId);
      return listingJson(await products.ownProduct(principal.institutionId, params.id));
    },
  }),
];

import type { Request, Router } from 'express';
import type { Services } from '../../container';
import type { ProductView } from '../../modules/catalogue';
import { productStatusLabels, type ProductVersion } from '../../modules/products';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { productBody, reasonBody } from '../product-input';
import { parse } from '../validate';
import { productJson } from './serializers';

type Actor = ReturnType<typeof auditActor> & { kind: 'institution' };
const actorOf = (req: Request) => auditActor(req) as Actor;

export function versionJson(v: ProductVersion) {
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

/** `/api/partner/v1/products`: the same listing work as the portal pages, as JSON. */
export function partnerProductRoutes(r: Router, services: Services, kit: HttpKit): void {
  const manage = kit.guards.institution('api', 'products.manage');
  const { products } = services;

  r.get('/products', manage, async (req, res) => {
    const list = await products.listForInstitution(req.institutionId!);
    res.json({ items: list.map(({ product, latest }) => listingJson(product, latest)) });
  });

  r.post('/products', manage, async (req, res) => {
    const params = parse(productBody, req.body, '产品信息有误');
    const { product, version } = await products.createDraft(req.institutionId!, params, actorOf(req));
    res.status(201).json({ ...listingJson(await services.catalogue.get(product.id), version) });
  });

  r.get('/products/:id', manage, async (req, res) => {
    const product = await products.ownProduct(req.institutionId!, String(req.params.id));
    const [versions, history] = await Promise.all([products.versions(product.id), products.statusHistory(product.id)]);
    res.json({
      ...listingJson(product, versions[0]),
      versions: versions.map(versionJson),
      statusHistory: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, reason: h.reason, by: h.actorKind, at: h.createdAt })),
    });
  });

  /** A new version (draft) of the product; a listed product keeps its approved version public until this one is approved. */
  r.put('/products/:id', manage, async (req, res) => {
    const params = parse(productBody, req.body, '产品信息有误');
    const version = await products.saveDraft(req.institutionId!, String(req.params.id), params, actorOf(req));
    res.json(versionJson(version));
  });

  r.post('/products/:id/submit', manage, async (req, res) => {
    const version = await products.submit(req.institutionId!, String(req.params.id), actorOf(req));
    res.json(versionJson(version));
  });

  r.post('/products/:id/pause', manage, async (req, res) => {
    await products.ownProduct(req.institutionId!, String(req.params.id));
    const { reason } = parse(reasonBody, req.body, '请填写暂停原因');
    await products.pause(String(req.params.id), reason, actorOf(req), req.institutionId!);
    res.json(listingJson(await products.ownProduct(req.institutionId!, String(req.params.id))));
  });

  r.post('/products/:id/resume', manage, async (req, res) => {
    await products.resume(String(req.params.id), actorOf(req), req.institutionId!);
    res.json(listingJson(await products.ownProduct(req.institutionId!, String(req.params.id))));
  });
}

import type { Services } from '../server/container';
import { cappedCount, type AgendaTile } from '../server/http/agenda-tile';
import { operatorCan, type OperatorPermission, type RoleHolder } from '../server/modules/accounts';

/** A queue item waiting longer than this is shown in red. */
const SLOW_QUEUE_MS = 2 * 86_400_000;
const REVIEWS_LIMIT = 200;
const DIFFERENCES_LIMIT = 100;

/**
 * The operator's 待办: every queue the signed-in role works, with how much waits and what is
 * late. Only the queues the role may open are built (and queried).
 */
export async function operatorAgenda(services: Services, operator: { id: string } & Exclude<RoleHolder, string>, now = new Date()): Promise<AgendaTile[]> {
  const can = (p: OperatorPermission) => operatorCan(operator, p);
  const [onboardings, productQueue, promotions, complaints, reviews, erasures, disputes, differences] = await Promise.all([
    can('institutions.review') ? services.onboarding.list('submitted') : undefined,
    can('products.review') ? services.products.reviewQueue() : undefined,
    can('promotions.review') ? services.promotions.listAll('requested') : undefined,
    can('complaints.handle') ? services.complaints.openCounts(now) : undefined,
    can('reviews.moderate') ? services.reviews.queue('pending', REVIEWS_LIMIT) : undefined,
    can('data.delete') ? services.dataRights.erasureRequests() : undefined,
    can('settlement.view') ? services.statements.openDisputes() : undefined,
    can('settlement.view') ? services.reconciliation.openDifferences(DIFFERENCES_LIMIT) : undefined,
  ]);
  const waitedLong = (since: Date | null) => since !== null && now.getTime() - since.getTime() > SLOW_QUEUE_MS;
  const tiles: AgendaTile[] = [];

  /** a review queue: how many wait, red when any has waited more than 2 days */
  const queueTile = (key: string, label: string, since: (Date | null)[], unit: string, quiet: string, href: string): AgendaTile => {
    const slow = since.filter(waitedLong).length;
    return { key, label, figure: String(since.length), detail: slow ? `${slow} ${unit}等待超过 2 天` : quiet, href, alert: slow > 0 };
  };

  if (onboardings) tiles.push(queueTile('onboarding', '入驻待审', onboardings.map((o) => o.createdAt), '家', '机构入驻申请', '/admin/onboarding?status=submitted'));
  if (productQueue) tiles.push(queueTile('products', '产品待审', productQueue.map((q) => q.version.submittedAt), '个', '新产品与产品变更', '/admin/products/review'));
  if (promotions) {
    tiles.push({ key: 'promotions', label: '推广待审', figure: String(promotions.length), detail: '机构申请的推广位', href: '/admin/promotions', alert: false });
  }
  if (complaints) {
    tiles.push({
      key: 'complaints',
      label: '未结投诉',
      figure: String(complaints.open),
      detail: complaints.overdue ? `${complaints.overdue} 件已超时限` : complaints.escalated ? `${complaints.escalated} 件已升级` : '均在时限内',
      href: complaints.overdue ? '/admin/complaints?overdue=1' : '/admin/complaints',
      alert: complaints.overdue > 0,
    });
  }
  if (reviews) {
    tiles.push({ key: 'reviews', label: '评价待审', figure: cappedCount(reviews.length, REVIEWS_LIMIT), detail: '用户评价发布前审核', href: '/admin/reviews', alert: false });
  }
  if (erasures) {
    const pending = erasures.filter((e) => e.status === 'pending');
    const mine = pending.filter((e) => e.requestedBy !== operator.id).length;
    tiles.push({
      key: 'erasures',
      label: '删除申请待批',
      figure: String(pending.length),
      detail: mine ? `${mine} 件等你审批（双人复核）` : pending.length ? '等待另一位管理员审批' : '没有待批申请',
      href: '/admin/erasures',
      alert: mine > 0,
    });
  }
  if (disputes && differences) {
    const open = disputes.length + differences.length;
    tiles.push({
      key: 'settlement',
      label: '结算待处理',
      figure: differences.length >= DIFFERENCES_LIMIT ? `${open}+` : String(open),
      detail: `${disputes.length} 条异议 · ${cappedCount(differences.length, DIFFERENCES_LIMIT)} 条对账差异`,
      href: '/admin/finance',
      alert: open > 0,
    });
  }
  return tiles;
}

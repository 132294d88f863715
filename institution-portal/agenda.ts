import type { Services } from '../server/container';
import { formatYuan } from '../server/lib/money';
import type { AgendaTile } from '../server/http/agenda-tile';
import { institutionCan, type RoleHolder } from '../server/modules/accounts';
import type { UnbilledCommission } from '../server/modules/settlement';

const waitingComplaint = new Set(['open', 'in_progress']);
const unpaidStatement = new Set(['issued', 'disputed', 'overdue']);
/** A 待复核 approval waiting longer than this turns its tile red: the borrower is waiting for the decision. */
const REVIEW_LATE_MS = 24 * 3_600_000;

/** "本月 ¥1,230.00，将于 2026-04-01 出账" (and what earlier months still hold). */
export function unbilledDetail(u: UnbilledCommission): string {
  if (u.totalFen === 0) return '没有待出账的佣金';
  const current = `本月 ${formatYuan(u.currentFen)}，${u.nextCloseOn} 出账`;
  return u.earlierFen !== 0 ? `${current}；往期待出账 ${formatYuan(u.earlierFen)}` : current;
}

/**
 * What needs the signed-in staff member's attention now, from the parts of the portal their role
 * may use: leads to answer, complaints to reply to, overdue loans, statements to pay, products the
 * platform returned, approvals waiting for their second confirmation (待复核: only for who may
 * confirm, and never their own). Only the tiles the role may act on are built (and queried).
 */
export async function portalAgenda(services: Services, institutionId: string, staff: Exclude<RoleHolder, string> & { id: string }, now = new Date()): Promise<AgendaTile[]> {
  const can = (p: Parameters<typeof institutionCan>[1]) => institutionCan(staff, p);
  const [leads, reviews, complaints, overdueLoans, statements, unbilled, products] = await Promise.all([
    can('leads.work') ? services.applications.leadCounts(institutionId) : undefined,
    can('leads.confirm') ? services.applications.listApprovalReviews(institutionId, 'pending') : undefined,
    can('complaints.respond') ? services.complaints.listForInstitution(institutionId) : undefined,
    can('loans.manage') ? services.loans.listForInstitution(institutionId, { status: 'active', overdue: true }, now) : undefined,
    can('settlement.view') ? services.statements.list({ institutionId }, now) : undefined,
    can('settlement.view') ? services.statements.unbilled(institutionId, now) : undefined,
    can('products.manage') ? services.products.listForInstitution(institutionId) : undefined,
  ]);
  const tiles: AgendaTile[] = [];
  if (leads) {
    tiles.push({
      key: 'leads',
      label: '待响应线索',
      figure: String(leads.unanswered),
      detail: leads.stale ? `其中 ${leads.stale} 条超过 24 小时未响应` : `审核中 ${leads.reviewing} · 待借款人确认 ${leads.approved} · 已接受待放款 ${leads.accepted}`,
      href: leads.stale ? '/partner/leads?stale=1' : '/partner/leads?status=submitted',
      alert: leads.stale > 0,
    });
  }
  if (reviews) {
    // a maker never confirms their own approval: those wait for someone else and are not this person's work
    const others = reviews.filter((r) => r.makerId !== staff.id);
    const late = others.filter((r) => now.getTime() - r.createdAt.getTime() > REVIEW_LATE_MS).length;
    const own = reviews.length - others.length;
    tiles.push({
      key: 'approvalReviews',
      label: '待复核',
      figure: String(others.length),
      detail: late ? `其中 ${late} 笔等待超过 24 小时` : own ? `你提交的 ${own} 笔等待其他同事复核` : '大额批准须另一位员工确认',
      href: '/partner/approval-reviews',
      alert: late > 0,
    });
  }
  if (complaints) {
    const waiting = complaints.filter((c) => waitingComplaint.has(c.status) && c.firstRespondedAt === null);
    const late = waiting.filter((c) => c.firstResponseDueAt.getTime() < now.getTime()).length;
    tiles.push({
      key: 'complaints',
      label: '待回复投诉',
      figure: String(waiting.length),
      detail: late ? `其中 ${late} 件已超过首次回复时限` : '按时回复，避免升级',
      href: '/partner/complaints',
      alert: late > 0,
    });
  }
  if (overdueLoans) {
    const owed = overdueLoans.reduce((sum, l) => sum + l.overdueFen, 0);
    tiles.push({
      key: 'loans',
      label: '逾期贷款',
      figure: String(overdueLoans.length),
      detail: overdueLoans.length ? `逾期应还合计 ${formatYuan(owed)}` : '没有逾期',
      href: '/partner/loans?overdue=1',
      alert: overdueLoans.length > 0,
    });
  }
  if (statements) {
    const unpaid = statements.filter((s) => unpaidStatement.has(s.shown) && s.outstandingFen > 0);
    const outstanding = unpaid.reduce((sum, s) => sum + s.outstandingFen, 0);
    const late = unpaid.filter((s) => s.shown === 'overdue').length;
    const nextDue = unpaid.map((s) => s.dueDate).sort()[0];
    tiles.push({
      key: 'statements',
      label: '待付结算款',
      figure: formatYuan(outstanding),
      detail: unpaid.length === 0 ? '没有未付结算单' : late ? `${late} 张结算单已逾期` : `${unpaid.length} 张结算单，最早 ${nextDue} 到期`,
      href: '/partner/statements',
      alert: late > 0,
    });
  }
  if (unbilled) {
    // owed but on no statement yet: shown beside 待付结算款, so ¥0.00 there never reads as "nothing owed"
    tiles.push({
      key: 'unbilled',
      label: '应计佣金（未出账）',
      figure: formatYuan(unbilled.totalFen),
      detail: unbilledDetail(unbilled),
      href: '/partner/statements#unbilled',
      alert: false,
    });
  }
  if (products) {
    const returned = products.filter((p) => p.latest?.status === 'returned').length;
    const inReview = products.filter((p) => p.latest?.status === 'submitted').length;
    const listed = products.filter((p) => p.product.status === 'listed').length;
    tiles.push({
      key: 'products',
      label: '在架产品',
      figure: String(listed),
      detail: returned ? `${returned} 个产品被退回修改` : inReview ? `${inReview} 个产品审核中` : `共 ${products.length} 个产品`,
      href: '/partner/products',
      alert: returned > 0,
    });
  }
  return tiles;
}

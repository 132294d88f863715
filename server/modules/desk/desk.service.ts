import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskLogin, maskPiiInText, type PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import { byDisplayName, openDisplayName, operatorCan } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { ContentService } from '../content';
import { ERASED_TEXT, type ComplaintCategory, type ComplaintsService } from '../feedback';
import type { NotificationsService } from '../notifications';
import type { IdentityService } from '../identity';
import { parseQuery } from '../search';
import { checkCannedBody, conversationNumber, renderCanned } from './canned-replies';
import { DeskRepository, type ConversationRow, type GroupRow, type MessageRow, type Owner, type ReportRow } from './desk.repository';
import type { DeskConversationStatus, DeskMessageKind, DeskPartyKind } from './desk.schema';
import type { DeskListener, DeskLive } from './desk.live';
import { minuteText, nextInTurn, nextOnDuty, onDutyAt } from './roster';

/** The other side of a conversation: a signed-in borrower, an anonymous visitor (by cookie), or institution staff. */
export type DeskParty =
  | { kind: 'consumer'; consumerId: string }
  | { kind: 'visitor'; visitorKey: string }
  | { kind: 'institution'; institutionId: string; staffId: string };

/** An operator working the desk. */
export interface DeskAgent {
  id: string;
  actor: AuditActor;
}

export const deskStatusLabels: Record<DeskConversationStatus, string> = { waiting: '排队中', open: '接待中', closed: '已结束' };

export interface DeskGroupView {
  id: string;
  name: string;
  audience: 'borrower' | 'institution';
  serviceHours: string;
}

export interface DeskMessageView {
  id: number;
  kind: DeskMessageKind;
  /** who wrote it, as the reader sees it: 我, 客服 小林, 系统 … */
  authorLabel: string;
  mine: boolean;
  body: string;
  createdAt: Date;
}

export interface DeskConversationView {
  id: string;
  number: string;
  groupId: string;
  groupName: string;
  status: DeskConversationStatus;
  statusLabel: string;
  agentName: string | null;
  createdAt: Date;
  closedAt: Date | null;
  rating: number | null;
  ratingComment: string | null;
  ratedAt: Date | null;
  canRate: boolean;
  canWrite: boolean;
  /** outside the group's hours (no one on duty): when someone will answer */
  waitingNotice: string | null;
  complaintId: string | null;
}

export interface AgentConversationView extends DeskConversationView {
  partyKind: DeskPartyKind;
  /** the other side as the agent addresses them (称呼): 王**, 访客, the institution's name */
  partyLabel: string;
  contactMasked: string | null;
  agentId: string | null;
  mine: boolean;
  canComplain: boolean;
  firstResponseAt: Date | null;
  /** when the visitor who opened it signed in or registered: it has been a known borrower's since */
  claimedAt: Date | null;
}

export interface OpenInput {
  groupId: string;
  body: string;
  /** a visitor's phone number or e-mail address, to be reached again */
  contact?: string;
}

export interface DeskReport {
  from: Date;
  to: Date;
  agents: (ReportRow & { name: string })[];
  groups: (ReportRow & { name: string })[];
}

const PARTY_LABEL: Record<DeskPartyKind, string> = { consumer: '用户', visitor: '访客', institution: '机构' };

function cleanBody(body: string): string {
  const text = body.trim();
  if (!text) throw new ValidationError('消息不能为空', { body: '请输入内容' });
  if (text.length > 2000) throw new ValidationError('消息过长', { body: '最多 2000 字' });
  return text;
}

function cleanContact(contact: string | undefined): string {
  const text = (contact ?? '').trim();
  if (!/^1[3-9]\d{9}$/.test(text) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
    throw new ValidationError('请留下联系方式', { contact: '请填写手机号或邮箱，客服不在线时用来联系你' });
  }
  return text;
}

const ownerOf = (party: DeskParty): Owner =>
  party.kind === 'consumer' ? { consumerId: party.consumerId } : party.kind === 'visitor' ? { visitorKey: party.visitorKey } : { institutionId: party.institutionId };

/** "12月7日 09:00" in Asia/Shanghai. */
const shanghaiText = (at: Date): string =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);

export interface DeskServiceDeps {
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  complaints: ComplaintsService;
  identity: IdentityService;
  content: ContentService;
  live: DeskLive;
  /** the borrower's message centre (站内信): replies they are not there to see live */
  notifications: NotificationsService;
}

/** How long a party's live stream counts as open without a refresh (a stream refreshes every STREAM_REFRESH_MS). */
export const STREAM_TTL_MS = 60_000;
export const STREAM_REFRESH_MS = 20_000;

/** Where the borrower reads a conversation (the link of its notifications). */
export const conversationLink = (id: string) => `/desk/conversations/${id}`;

/**
 * 客服: conversations between borrowers (or institution staff) and operator agents, in skill
 * groups with a roster. A new conversation goes round robin to an agent on duty in its group,
 * or waits in the queue (the borrower is told when someone is next on duty). Agents reply
 * (canned replies with variables), note, transfer, turn a conversation into a complaint and
 * close it; the borrower then rates it once. Messages are sealed at rest and shown to agents
 * with phone and ID numbers masked; every read by an agent and every change is audited; every
 * change is signalled live to the streams of the conversation and of its group's queue.
 */
export class DeskService {
  private readonly repo: DeskRepository;

  constructor(private readonly deps: DeskServiceDeps) {
    this.repo = new DeskRepository(deps.db);
  }

  // ── groups and availability ─────────────────────────────────────────────────────────────
  private static groupView(g: GroupRow): DeskGroupView {
    return { id: g.id, name: g.name, audience: g.audience, serviceHours: `每天 ${minuteText(g.opensAtMinute)}–${minuteText(g.closesAtMinute)}` };
  }

  async groups(audience?: 'borrower' | 'institution'): Promise<DeskGroupView[]> {
    const rows = await this.repo.groups();
    return rows.filter((g) => !audience || g.audience === audience).map((g) => DeskService.groupView(g));
  }

  /** Whether someone is on duty in the group now, and if not when someone next is. */
  async availability(groupId: string, now = this.deps.clock.now()): Promise<{ onDuty: string[]; nextAt: Date | null }> {
    const shifts = await this.repo.shiftsFrom(groupId, now);
    return { onDuty: onDutyAt(shifts, now), nextAt: nextOnDuty(shifts, now) };
  }

  private async waitingNotice(c: ConversationRow, group: GroupRow, now: Date): Promise<string | null> {
    if (c.status !== 'waiting') return null;
    const { onDuty, nextAt } = await this.availability(c.groupId, now);
    if (onDuty.length) return '客服正在接入，请稍候。';
    const hours = DeskService.groupView(group).serviceHours;
    return nextAt
      ? `现在不在服务时间（${hours}）。客服将于 ${shanghaiText(nextAt)} 上线，届时按顺序回复你；你的留言已进入队列。`
      : `现在不在服务时间（${hours}），客服上线后按顺序回复你；你的留言已进入队列。`;
  }

  /** Picks the next agent on duty in the group (round robin) and records the turn; null when no one is on duty. */
  private async assignInTurn(tx: Tx, c: ConversationRow, now: Date): Promise<string | null> {
    const group = await this.repo.lockGroup(tx, c.groupId);
    const shifts = await this.repo.shiftsFrom(c.groupId, now, tx);
    const agentId = nextInTurn(onDutyAt(shifts, now), group?.lastAssignedAgentId ?? null);
    if (!agentId) return null;
    await this.repo.updateGroup(tx, c.groupId, { lastAssignedAgentId: agentId });
    await this.repo.update(tx, c.id, { status: 'open', agentId, assignedAt: now });
    await this.system(tx, c.id, `客服 ${await this.agentName(agentId, tx)} 为你服务`, now);
    return agentId;
  }

  /** An agent's name; inside a transaction pass it (PGlite has one connection: a read beside an open transaction would wait for it). */
  private async agentName(agentId: string | null, tx?: Tx): Promise<string> {
    return agentId ? openDisplayName(this.deps.pii, await this.repo.nameEncOf(agentId, tx)) : '';
  }

  private async system(tx: Tx, conversationId: string, text: string, at: Date): Promise<void> {
    await this.repo.addMessage(tx, conversationId, { kind: 'system', authorKind: 'system', authorId: null, bodyEnc: this.deps.pii.encrypt(text) }, at);
  }

  private signal(c: Pick<ConversationRow, 'id' | 'groupId'>): Promise<void> {
    return this.deps.live.publish({ conversationId: c.id, groupId: c.groupId });
  }

  // ── the borrower's (or institution's) side ──────────────────────────────────────────────
  /** Guides and FAQ answers matching what the borrower is about to ask. */
  async suggestions(question: string): Promise<{ slug: string; title: string; summary: string }[]> {
    const q = question.trim().slice(0, 100);
    if (!q) return [];
    const found = new Map<string, { slug: string; title: string; summary: string }>();
    // the whole question first; a question rarely holds every word of a guide, so then its words one by one
    for (const attempt of [q, ...parseQuery(q).required.slice(0, 5).map((t) => t.text)]) {
      const { items } = await this.deps.content.publishedArticles({ q: attempt, pageSize: 3 });
      for (const a of items) if (found.size < 3) found.set(a.slug, { slug: a.slug, title: a.title, summary: a.summary });
      if (found.size >= 3) break;
    }
    return [...found.values()];
  }

  async open(party: DeskParty, input: OpenInput, actor: AuditActor, now = this.deps.clock.now()): Promise<DeskConversationView> {
    const group = await this.repo.group(input.groupId);
    const audience = party.kind === 'institution' ? 'institution' : 'borrower';
    if (!group || group.audience !== audience) throw new ValidationError('请选择咨询类型', { groupId: '没有这个咨询类型' });
    const body = cleanBody(input.body);
    const contact = party.kind === 'visitor' ? cleanContact(input.contact) : null;
    const id = newId('kf');
    await withTransaction(this.deps.db, async (tx) => {
      const c = await this.repo.insertConversation(tx, {
        id,
        partyKind: party.kind,
        consumerId: party.kind === 'consumer' ? party.consumerId : null,
        visitorKey: party.kind === 'visitor' ? party.visitorKey : null,
        contactEnc: contact ? this.deps.pii.encrypt(contact) : null,
        contactMasked: contact ? maskLogin(contact) : null,
        institutionId: party.kind === 'institution' ? party.institutionId : null,
        staffId: party.kind === 'institution' ? party.staffId : null,
        groupId: group.id,
        createdAt: now,
        lastMessageAt: now,
      });
      await this.repo.addMessage(tx, id, { kind: 'message', authorKind: 'party', authorId: actor.id ?? null, bodyEnc: this.deps.pii.encrypt(body) }, now);
      const agentId = await this.assignInTurn(tx, c, now);
      await this.deps.audit.record(actor, { action: 'desk.conversation_opened', objectType: 'desk_conversation', objectId: id, detail: { groupId: group.id, partyKind: party.kind, agentId } }, tx);
    });
    await this.signal({ id, groupId: group.id });
    return this.getForParty(party, id, now);
  }

  private async owned(party: DeskParty, id: string): Promise<ConversationRow> {
    const c = await this.repo.findOwned(ownerOf(party), id);
    if (!c) throw new NotFoundError('会话');
    return c;
  }

  private async view(c: ConversationRow, now: Date, groups?: Map<string, GroupRow>): Promise<DeskConversationView> {
    const group = groups?.get(c.groupId) ?? (await this.repo.group(c.groupId))!;
    return {
      id: c.id,
      number: conversationNumber(c.number),
      groupId: c.groupId,
      groupName: group.name,
      status: c.status,
      statusLabel: deskStatusLabels[c.status],
      agentName: c.agentId ? await this.agentName(c.agentId) : null,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      rating: c.rating,
      ratingComment: c.ratingComment,
      ratedAt: c.ratedAt,
      canRate: c.status === 'closed' && c.ratedAt === null,
      canWrite: c.status !== 'closed',
      waitingNotice: await this.waitingNotice(c, group, now),
      complaintId: c.complaintId,
    };
  }

  async listForParty(party: DeskParty, now = this.deps.clock.now()): Promise<DeskConversationView[]> {
    const rows = await this.repo.listOwned(ownerOf(party));
    const groups = new Map((await this.repo.groups()).map((g) => [g.id, g]));
    return Promise.all(rows.map((c) => this.view(c, now, groups)));
  }

  async getForParty(party: DeskParty, id: string, now = this.deps.clock.now()): Promise<DeskConversationView & { messages: DeskMessageView[] }> {
    const c = await this.owned(party, id);
    return { ...(await this.view(c, now)), messages: await this.partyMessages(c, 0) };
  }

  /** The party's thread after message `afterId` (no internal notes); someone else's conversation is "not found". */
  async partyMessagesAfter(party: DeskParty, id: string, afterId: number): Promise<DeskMessageView[]> {
    return this.partyMessages(await this.owned(party, id), afterId);
  }

  private async partyMessages(c: ConversationRow, afterId: number): Promise<DeskMessageView[]> {
    const rows = await this.repo.messages(c.id, afterId, false);
    const names = new Map<string, string>();
    for (const m of rows) if (m.authorKind === 'agent' && m.authorId && !names.has(m.authorId)) names.set(m.authorId, await this.agentName(m.authorId));
    return rows.map((m) => ({
      id: m.id,
      kind: m.kind,
      authorLabel: m.authorKind === 'party' ? '我' : m.authorKind === 'agent' ? `客服 ${names.get(m.authorId!) ?? ''}`.trim() : '系统',
      mine: m.authorKind === 'party',
      body: this.deps.pii.decrypt(m.bodyEnc),
      createdAt: m.createdAt,
    }));
  }

  async postByParty(party: DeskParty, id: string, body: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    const c = await this.owned(party, id);
    await withTransaction(this.deps.db, async (tx) => {
      const locked = (await this.repo.lock(tx, c.id))!;
      if (locked.status === 'closed') throw new ConflictError('conversation_closed', '会话已结束，如有新问题请发起新的咨询');
      await this.repo.addMessage(tx, c.id, { kind: 'message', authorKind: 'party', authorId: actor.id ?? null, bodyEnc: this.deps.pii.encrypt(text) }, now);
      if (locked.status === 'waiting' && !locked.agentId) await this.assignInTurn(tx, locked, now);
      await this.deps.audit.record(actor, { action: 'desk.message_sent', objectType: 'desk_conversation', objectId: c.id, detail: { by: party.kind } }, tx);
    });
    await this.signal(c);
  }

  async rate(party: DeskParty, id: string, input: { rating: number; comment?: string }, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const c = await this.owned(party, id);
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw new ValidationError('请选择 1–5 分', { rating: '请选择 1–5 分' });
    const comment = input.comment?.trim() || null;
    if (comment && comment.length > 500) throw new ValidationError('评价过长', { comment: '最多 500 字' });
    if (c.status !== 'closed') throw new ConflictError('conversation_not_closed', '会话结束后才能评价');
    await withTransaction(this.deps.db, async (tx) => {
      if (!(await this.repo.rateOnce(tx, c.id, input.rating, comment, now))) throw new ConflictError('already_rated', '这次会话已经评价过了');
      await this.deps.audit.record(actor, { action: 'desk.rated', objectType: 'desk_conversation', objectId: c.id, detail: { rating: input.rating } }, tx);
    });
    await this.signal(c);
  }

  // ── agents ──────────────────────────────────────────────────────────────────────────────
  agentGroupIds(agentId: string): Promise<string[]> {
    return this.repo.groupIdsOf(agentId);
  }

  /** A conversation in one of the agent's groups; any other is "not found" for them. */
  private async reachable(agentId: string, id: string): Promise<ConversationRow> {
    const c = await this.repo.find(id);
    if (!c || !(await this.repo.isMember(c.groupId, agentId))) throw new NotFoundError('会话');
    return c;
  }

  /** Checks the agent may open the group's queue stream (a member), else "not found". */
  async assertMember(agentId: string, groupId: string): Promise<void> {
    if (!(await this.repo.isMember(groupId, agentId))) throw new NotFoundError('技能组');
  }

  /** The agent's queue: waiting and open conversations of their groups, with who is on duty in each group. */
  async queue(agentId: string, now = this.deps.clock.now()) {
    const groupIds = await this.repo.groupIdsOf(agentId);
    const allGroups = await this.repo.groups();
    const groups = new Map(allGroups.map((g) => [g.id, g]));
    const rows = await this.repo.queue(groupIds);
    const conversations = await Promise.all(rows.map(async (c) => ({ ...(await this.agentView(c, agentId, now, groups)) })));
    const mine = allGroups.filter((g) => groupIds.includes(g.id));
    const availability = await Promise.all(mine.map(async (g) => ({ ...DeskService.groupView(g), ...(await this.availability(g.id, now)) })));
    return {
      groups: availability.map((g) => ({ ...g, onDutyCount: g.onDuty.length, nextOnDutyText: g.nextAt ? shanghaiText(g.nextAt) : null, waiting: conversations.filter((c) => c.groupId === g.id && c.status === 'waiting').length })),
      conversations,
    };
  }

  private async partyLabel(c: ConversationRow): Promise<string> {
    if (c.partyKind === 'consumer') return (await this.deps.identity.summary(c.consumerId!)).realNameMasked ?? PARTY_LABEL.consumer;
    if (c.partyKind === 'institution') return (await this.repo.institutionName(c.institutionId!))[0]?.name ?? PARTY_LABEL.institution;
    return PARTY_LABEL.visitor;
  }

  private async agentView(c: ConversationRow, agentId: string, now: Date, groups?: Map<string, GroupRow>): Promise<AgentConversationView> {
    return {
      ...(await this.view(c, now, groups)),
      partyKind: c.partyKind,
      partyLabel: await this.partyLabel(c),
      contactMasked: c.contactMasked,
      agentId: c.agentId,
      mine: c.agentId === agentId,
      canComplain: c.partyKind === 'consumer' && !c.complaintId,
      firstResponseAt: c.firstResponseAt,
      claimedAt: c.claimedAt,
    };
  }

  /** A conversation for an agent of its group, with the whole thread (notes too) masked; the read is audited. */
  async getForAgent(agent: DeskAgent, id: string, now = this.deps.clock.now()): Promise<AgentConversationView & { messages: DeskMessageView[] }> {
    const c = await this.reachable(agent.id, id);
    await this.deps.audit.recordNow(agent.actor, { action: 'desk.conversation_viewed', objectType: 'desk_conversation', objectId: id });
    return { ...(await this.agentView(c, agent.id, now)), messages: await this.agentMessages(c, 0, false) };
  }

  /** The whole thread unmasked (phone and ID numbers in clear); audited as a reveal, like a lead's. */
  async revealForAgent(agent: DeskAgent, id: string): Promise<DeskMessageView[]> {
    const c = await this.reachable(agent.id, id);
    await this.deps.audit.recordNow(agent.actor, { action: 'desk.pii_revealed', objectType: 'desk_conversation', objectId: id });
    return this.agentMessages(c, 0, true);
  }

  /** An agent's thread after message `afterId`, masked; for the live stream. */
  async agentMessagesAfter(agentId: string, id: string, afterId: number): Promise<DeskMessageView[]> {
    return this.agentMessages(await this.reachable(agentId, id), afterId, false);
  }

  private async agentMessages(c: ConversationRow, afterId: number, revealed: boolean): Promise<DeskMessageView[]> {
    const rows: MessageRow[] = await this.repo.messages(c.id, afterId, true);
    const names = new Map<string, string>();
    for (const m of rows) if (m.authorKind === 'agent' && m.authorId && !names.has(m.authorId)) names.set(m.authorId, await this.agentName(m.authorId));
    const party = PARTY_LABEL[c.partyKind];
    return rows.map((m) => {
      const body = this.deps.pii.decrypt(m.bodyEnc);
      return {
        id: m.id,
        kind: m.kind,
        authorLabel: m.authorKind === 'party' ? party : m.authorKind === 'agent' ? `${m.kind === 'note' ? '内部备注 · ' : ''}${names.get(m.authorId!) ?? '客服'}` : '系统',
        mine: m.authorKind === 'agent',
        body: revealed ? body : maskPiiInText(body),
        createdAt: m.createdAt,
      };
    });
  }

  /** Runs an agent's change on a conversation of their group, locked, then signals it. */
  private async change(agent: DeskAgent, id: string, work: (tx: Tx, c: ConversationRow) => Promise<Pick<ConversationRow, 'id' | 'groupId'> | void>): Promise<void> {
    await this.reachable(agent.id, id);
    const moved = await withTransaction(this.deps.db, async (tx) => {
      const c = (await this.repo.lock(tx, id))!;
      return (await work(tx, c)) ?? c;
    });
    await this.signal(moved);
  }

  private static open(c: ConversationRow): void {
    if (c.status === 'closed') throw new ConflictError('conversation_closed', '会话已结束');
  }

  /** The agent takes a waiting conversation (or one of theirs); one another agent is serving is refused. */
  async take(agent: DeskAgent, id: string, now = this.deps.clock.now()): Promise<void> {
    await this.change(agent, id, async (tx, c) => {
      DeskService.open(c);
      if (c.agentId && c.agentId !== agent.id && c.status === 'open') throw new ConflictError('conversation_taken', '这个会话已由其他客服接待');
      await this.repo.update(tx, id, { status: 'open', agentId: agent.id, assignedAt: now });
      await this.system(tx, id, `客服 ${await this.agentName(agent.id, tx)} 为你服务`, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.taken', objectType: 'desk_conversation', objectId: id }, tx);
    });
  }

  /** Hands the conversation to another member of its group. */
  async assign(agent: DeskAgent, id: string, agentId: string, now = this.deps.clock.now()): Promise<void> {
    await this.change(agent, id, async (tx, c) => {
      DeskService.open(c);
      if (!(await this.repo.isMember(c.groupId, agentId, tx))) throw new ValidationError('请选择本组的客服', { agentId: '这位客服不在本技能组' });
      await this.repo.update(tx, id, { status: 'open', agentId, assignedAt: now });
      await this.system(tx, id, `客服 ${await this.agentName(agentId, tx)} 为你服务`, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.assigned', objectType: 'desk_conversation', objectId: id, detail: { from: c.agentId, to: agentId } }, tx);
    });
  }

  /** Moves the conversation to another group: to a named member of it, or round robin among those on duty (else it waits there). */
  async transfer(agent: DeskAgent, id: string, input: { groupId: string; agentId?: string }, now = this.deps.clock.now()): Promise<void> {
    const before = await this.reachable(agent.id, id);
    await this.change(agent, id, async (tx, c) => {
      DeskService.open(c);
      const group = await this.repo.group(input.groupId, tx);
      const audience = c.partyKind === 'institution' ? 'institution' : 'borrower';
      if (!group || group.audience !== audience) throw new ValidationError('请选择要转入的技能组', { groupId: '没有这个技能组，或它不接待这类咨询' });
      if (input.agentId && !(await this.repo.isMember(group.id, input.agentId, tx))) throw new ValidationError('请选择该组的客服', { agentId: '这位客服不在所选技能组' });
      await this.repo.update(tx, id, { groupId: group.id, status: input.agentId ? 'open' : 'waiting', agentId: input.agentId ?? null, assignedAt: input.agentId ? now : null });
      await this.system(tx, id, `已转接至「${group.name}」`, now);
      const moved = { ...c, groupId: group.id, status: 'waiting' as const, agentId: null };
      const to = input.agentId ?? (await this.assignInTurn(tx, moved, now));
      if (input.agentId) await this.system(tx, id, `客服 ${await this.agentName(input.agentId, tx)} 为你服务`, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.transferred', objectType: 'desk_conversation', objectId: id, detail: { fromGroupId: c.groupId, toGroupId: group.id, agentId: to } }, tx);
      return { id, groupId: group.id };
    });
    // the group the conversation left is told too (it leaves that queue)
    if (before.groupId !== input.groupId) await this.signal(before);
  }

  /** Replies to the party, in the agent's words or with a canned reply (its variables filled in now); replying to a waiting conversation takes it. */
  async reply(agent: DeskAgent, id: string, input: { body?: string; cannedId?: string }, now = this.deps.clock.now()): Promise<void> {
    const c = await this.reachable(agent.id, id);
    let text: string;
    if (input.cannedId) {
      const canned = await this.repo.canned(input.cannedId);
      if (!canned || (canned.groupId && canned.groupId !== c.groupId)) throw new ValidationError('请选择快捷回复', { cannedId: '没有这条快捷回复' });
      text = renderCanned(canned.body, { 称呼: await this.partyLabel(c), 坐席: await this.agentName(agent.id), 会话编号: conversationNumber(c.number) });
    } else text = cleanBody(input.body ?? '');
    await this.change(agent, id, async (tx, locked) => {
      DeskService.open(locked);
      if (locked.agentId && locked.agentId !== agent.id && locked.status === 'open') throw new ConflictError('conversation_taken', '这个会话已由其他客服接待，请先转给自己');
      await this.repo.addMessage(tx, id, { kind: 'message', authorKind: 'agent', authorId: agent.id, bodyEnc: this.deps.pii.encrypt(text) }, now);
      const patch: Partial<ConversationRow> = {};
      if (locked.agentId !== agent.id) Object.assign(patch, { agentId: agent.id, assignedAt: now });
      if (locked.status === 'waiting') patch.status = 'open';
      if (!locked.firstResponseAt) patch.firstResponseAt = now;
      if (Object.keys(patch).length) await this.repo.update(tx, id, patch);
      const notified = await this.notifyAway(tx, locked, text, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.replied', objectType: 'desk_conversation', objectId: id, detail: { cannedId: input.cannedId ?? null, notified } }, tx);
    });
  }

  /**
   * A signed-in borrower with no live stream of the conversation open gets the reply in their
   * message centre, once per unread burst: not again while that notification is unread (reading
   * it, or opening the conversation, ends the burst). Runs under the conversation's lock, so two
   * replies at once make one notification. Returns whether it notified.
   */
  private async notifyAway(tx: Tx, c: ConversationRow, text: string, now: Date): Promise<boolean> {
    if (c.partyKind !== 'consumer' || !c.consumerId) return false;
    if (await this.repo.partyStreaming(c.id, now, tx)) return false;
    return this.deps.notifications.notifyUnlessUnread(
      c.consumerId,
      { kind: 'desk.reply', title: `客服回复了你的咨询（${conversationNumber(c.number)}）`, body: maskPiiInText(text).slice(0, 100), link: conversationLink(c.id) },
      tx,
    );
  }

  /** An internal note: agents see it, the party never does. */
  async note(agent: DeskAgent, id: string, body: string, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    await this.change(agent, id, async (tx) => {
      await this.repo.addMessage(tx, id, { kind: 'note', authorKind: 'agent', authorId: agent.id, bodyEnc: this.deps.pii.encrypt(text) }, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.noted', objectType: 'desk_conversation', objectId: id }, tx);
    });
  }

  /**
   * Turns a signed-in borrower's conversation into a complaint (the complaints service gives it its
   * SLA); the conversation links to it and the borrower is told its number. Visitors and
   * institutions cannot file complaints (409).
   */
  async toComplaint(agent: DeskAgent, id: string, input: { category: ComplaintCategory; subject: string }, now = this.deps.clock.now()): Promise<{ complaintId: string }> {
    const c = await this.reachable(agent.id, id);
    if (c.complaintId) throw new ConflictError('complaint_exists', '这个会话已经转为投诉');
    if (c.partyKind !== 'consumer') throw new ConflictError('complaint_needs_account', '只有登录用户的会话可以转为投诉');
    const subject = input.subject.trim();
    if (!subject || subject.length > 100) throw new ValidationError('请填写投诉主题', { subject: '1–100 字' });
    const said = (await this.repo.messages(c.id, 0, false)).filter((m) => m.authorKind === 'party').map((m) => this.deps.pii.decrypt(m.bodyEnc));
    const description = `由在线客服会话 ${conversationNumber(c.number)} 转入。用户原话：\n${said.join('\n')}`.slice(0, 2000);
    const draft = await this.deps.complaints.draft(c.consumerId!, { category: input.category, subject, description }, now);
    // the complaint and the link on the conversation commit together, under the conversation's
    // lock: of two agents at once, the second finds the link and gets 409 with nothing written
    await this.change(agent, id, async (tx, locked) => {
      if (locked.complaintId) throw new ConflictError('complaint_exists', '这个会话已经转为投诉');
      await this.deps.complaints.fileDraft(tx, draft, agent.actor);
      await this.repo.update(tx, id, { complaintId: draft.id });
      await this.system(tx, id, `已为你登记投诉「${subject}」，我们会在时限内答复（可在“我的投诉”查看进度）`, now);
      await this.deps.audit.record(agent.actor, { action: 'desk.complaint_created', objectType: 'desk_conversation', objectId: id, detail: { complaintId: draft.id } }, tx);
    });
    return { complaintId: draft.id };
  }

  /** Ends the conversation; the party may then rate it. */
  async close(agent: DeskAgent, id: string, now = this.deps.clock.now()): Promise<void> {
    await this.change(agent, id, async (tx, c) => {
      if (c.status === 'closed') throw new ConflictError('conversation_closed', '会话已结束');
      await this.repo.update(tx, id, { status: 'closed', closedAt: now, agentId: c.agentId ?? agent.id });
      await this.system(tx, id, '会话已结束。欢迎为本次服务评分', now);
      await this.deps.audit.record(agent.actor, { action: 'desk.closed', objectType: 'desk_conversation', objectId: id }, tx);
    });
  }

  // ── supervisors: groups, roster, canned replies, reports ────────────────────────────────
  /** Operators who may work the desk (hold desk.work). */
  async agents(): Promise<{ id: string; displayName: string }[]> {
    const rows = await this.repo.activeOperators();
    return rows
      .filter((r) => operatorCan(r.role, 'desk.work'))
      .map((r) => ({ id: r.id, displayName: openDisplayName(this.deps.pii, r.nameEnc) }))
      .sort(byDisplayName);
  }

  /** The members of a group's agent list: those of its members who may work the desk. */
  async groupsWithMembers(): Promise<(DeskGroupView & { opensAt: string; closesAt: string; members: { id: string; displayName: string }[] })[]> {
    const [groups, members] = await Promise.all([this.repo.groups(), this.repo.members()]);
    return groups.map((g) => ({
      ...DeskService.groupView(g),
      opensAt: minuteText(g.opensAtMinute),
      closesAt: minuteText(g.closesAtMinute),
      members: members
        .filter((m) => m.groupId === g.id)
        .map((m) => ({ id: m.agentId, displayName: openDisplayName(this.deps.pii, m.nameEnc) }))
        .sort(byDisplayName),
    }));
  }

  async setGroup(actor: AuditActor, groupId: string, input: { agentIds: string[]; opensAtMinute: number; closesAtMinute: number }): Promise<void> {
    if (!(await this.repo.group(groupId))) throw new NotFoundError('技能组');
    if (input.closesAtMinute <= input.opensAtMinute) throw new ValidationError('服务时间有误', { closesAt: '结束时间须晚于开始时间' });
    const agents = new Set((await this.agents()).map((a) => a.id));
    const stranger = input.agentIds.find((id) => !agents.has(id));
    if (stranger) throw new ValidationError('请选择客服', { agentIds: '只能选择有客服权限的运营人员' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.repo.setMembers(tx, groupId, [...new Set(input.agentIds)]);
      await this.repo.updateGroup(tx, groupId, { opensAtMinute: input.opensAtMinute, closesAtMinute: input.closesAtMinute });
      await this.deps.audit.record(actor, { action: 'desk.group_changed', objectType: 'desk_group', objectId: groupId, detail: { agentIds: input.agentIds, opensAtMinute: input.opensAtMinute, closesAtMinute: input.closesAtMinute } }, tx);
    });
  }

  async roster(from: Date, to: Date) {
    const [rows, groups] = await Promise.all([this.repo.roster(from, to), this.repo.groups()]);
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return rows.map((s) => ({ id: s.id, groupId: s.groupId, groupName: names.get(s.groupId) ?? '', agentId: s.agentId, agentName: openDisplayName(this.deps.pii, s.nameEnc), startsAt: s.startsAt, endsAt: s.endsAt }));
  }

  async addShift(actor: AuditActor, input: { groupId: string; agentId: string; startsAt: Date; endsAt: Date }): Promise<{ id: string }> {
    if (!(await this.repo.group(input.groupId))) throw new ValidationError('请选择技能组', { groupId: '没有这个技能组' });
    if (!(await this.repo.isMember(input.groupId, input.agentId))) throw new ValidationError('请选择本组客服', { agentId: '这位客服不在所选技能组，请先把他加入该组' });
    if (input.endsAt.getTime() <= input.startsAt.getTime()) throw new ValidationError('班次时间有误', { endsAt: '结束时间须晚于开始时间' });
    if (input.endsAt.getTime() - input.startsAt.getTime() > 24 * 3_600_000) throw new ValidationError('班次时间有误', { endsAt: '一个班次最长 24 小时' });
    const id = newId('shf');
    await withTransaction(this.deps.db, async (tx) => {
      await this.repo.insertShift(tx, { id, ...input });
      await this.deps.audit.record(actor, { action: 'desk.shift_added', objectType: 'desk_group', objectId: input.groupId, detail: { shiftId: id, agentId: input.agentId, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() } }, tx);
    });
    return { id };
  }

  async removeShift(actor: AuditActor, id: string): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const removed = await this.repo.deleteShift(tx, id);
      if (!removed) throw new NotFoundError('班次');
      await this.deps.audit.record(actor, { action: 'desk.shift_removed', objectType: 'desk_group', objectId: removed.groupId, detail: { shiftId: id, agentId: removed.agentId } }, tx);
    });
  }

  /** Canned replies an agent may use in a group (or every active one). */
  async cannedReplies(groupId?: string) {
    const [rows, groups] = await Promise.all([this.repo.cannedReplies(groupId), this.repo.groups()]);
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return rows.map((r) => ({ id: r.id, title: r.title, body: r.body, groupId: r.groupId, groupName: r.groupId ? (names.get(r.groupId) ?? '') : '全部技能组' }));
  }

  async saveCanned(actor: AuditActor, input: { id?: string; title: string; body: string; groupId?: string | null }, now = this.deps.clock.now()): Promise<{ id: string }> {
    const title = input.title.trim();
    if (!title || title.length > 40) throw new ValidationError('请填写标题', { title: '1–40 字' });
    const body = checkCannedBody(input.body);
    if (input.groupId && !(await this.repo.group(input.groupId))) throw new ValidationError('请选择技能组', { groupId: '没有这个技能组' });
    if (input.id && !(await this.repo.canned(input.id))) throw new NotFoundError('快捷回复');
    const id = input.id ?? newId('cr');
    await withTransaction(this.deps.db, async (tx) => {
      await this.repo.saveCanned(tx, { id, title, body, groupId: input.groupId || null, updatedAt: now });
      await this.deps.audit.record(actor, { action: 'desk.canned_saved', objectType: 'desk_canned_reply', objectId: id, detail: { title } }, tx);
    });
    return { id };
  }

  async retireCanned(actor: AuditActor, id: string, now = this.deps.clock.now()): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      if (!(await this.repo.retireCanned(tx, id, now))) throw new NotFoundError('快捷回复');
      await this.deps.audit.record(actor, { action: 'desk.canned_retired', objectType: 'desk_canned_reply', objectId: id }, tx);
    });
  }

  /** Per agent and per group over [from, to): first response and handling time, backlog, satisfaction, complaints created. */
  async report(from: Date, to: Date): Promise<DeskReport> {
    if (to.getTime() <= from.getTime()) throw new ValidationError('日期范围有误', { to: '结束日期须不早于开始日期' });
    const [byAgent, byGroup, groups] = await Promise.all([this.repo.report('agent_id', from, to), this.repo.report('group_id', from, to), this.repo.groups()]);
    const groupNames = new Map(groups.map((g) => [g.id, g.name]));
    const agents = await Promise.all(byAgent.map(async (r) => ({ ...r, name: r.key ? await this.agentName(r.key) : '未分配' })));
    return {
      from,
      to,
      agents: agents.sort((a, b) => b.conversations - a.conversations),
      groups: groups.map((g) => ({ ...(byGroup.find((r) => r.key === g.id) ?? emptyRow(g.id)), name: groupNames.get(g.id)! })),
    };
  }

  // ── the party's presence and the visitor's sign-in ──────────────────────────────────────
  /**
   * The party has the conversation open live (its stream): recorded for every instance, so an
   * agent's reply is not also sent to the message centre. Call `refresh` every
   * STREAM_REFRESH_MS while the stream is open, `close` when it ends.
   */
  async partyStreamOpened(id: string): Promise<{ refresh(): Promise<void>; close(): Promise<void> }> {
    const streamId = newId('kfs');
    const until = () => new Date(this.deps.clock.now().getTime() + STREAM_TTL_MS);
    await this.repo.openStream(streamId, id, this.deps.clock.now(), until());
    return { refresh: () => this.repo.refreshStream(streamId, until()), close: () => this.repo.closeStream(streamId) };
  }

  /** The borrower is reading the conversation: its notifications in the message centre are read (the unread burst ends). */
  async seenByParty(party: DeskParty, id: string): Promise<void> {
    if (party.kind === 'consumer') await this.deps.notifications.markReadAt(party.consumerId, conversationLink(id));
  }

  /**
   * A visitor signed in or registered: the conversations their cookie opened become the
   * account's (the borrower's desk history shows them; the agent sees a known borrower and may
   * now turn it into a complaint). Each gets a system line and an audit row. Returns how many moved.
   */
  async claimVisitor(visitorKey: string, consumerId: string, actor: AuditActor, now = this.deps.clock.now()): Promise<number> {
    const moved = await withTransaction(this.deps.db, async (tx) => {
      const rows = await this.repo.lockVisitor(tx, visitorKey);
      for (const c of rows) {
        await this.repo.update(tx, c.id, { partyKind: 'consumer', consumerId, visitorKey: null, claimedAt: now });
        await this.system(tx, c.id, '访客已登录，本会话已转入其账号', now);
        await this.deps.audit.record(actor, { action: 'desk.visitor_claimed', objectType: 'desk_conversation', objectId: c.id, detail: { consumerId } }, tx);
      }
      return rows;
    });
    for (const c of moved) await this.signal(c);
    return moved.length;
  }

  /**
   * Erasure of a consumer (个人信息删除), in the caller's transaction: every message of their
   * conversations (theirs, the agents' and the notes, which quote them) is replaced by a sealed
   * placeholder, the contact they left as a visitor and their rating comment go. The
   * conversations stay as numbers in the desk's reports. Returns how many conversations.
   */
  async eraseParty(tx: Tx, consumerId: string): Promise<number> {
    const rows = await this.repo.lockConsumer(tx, consumerId);
    const ids = rows.map((c) => c.id);
    await this.repo.replaceBodies(tx, ids, this.deps.pii.encrypt(ERASED_TEXT));
    for (const id of ids) await this.repo.update(tx, id, { contactEnc: null, contactMasked: null, ratingComment: null });
    return ids.length;
  }

  // ── live ────────────────────────────────────────────────────────────────────────────────
  listen(key: `conversation:${string}` | `group:${string}`, listener: DeskListener): Promise<() => void> {
    return this.deps.live.listen(key, listener);
  }

  stop(): Promise<void> {
    return this.deps.live.close();
  }
}

const emptyRow = (key: string): ReportRow => ({ key, conversations: 0, firstResponseSeconds: null, handlingSeconds: null, backlog: 0, ratings: 0, averageRating: null, complaints: 0 });

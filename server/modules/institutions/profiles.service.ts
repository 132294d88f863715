import { sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { ProductView } from '../catalogue';
import type { InstitutionRating } from '../feedback';
import { InstitutionsRepository, type InstitutionRow } from './institutions.repository';
import type { PublicProfileFields } from './institutions.schema';
import { COMPLAINTS_WINDOW_DAYS, FIGURES_WINDOW_DAYS, lenderFigures, type LenderFigures } from './lender-figures';
import { ProfilesRepository, type ProfileDraftRow } from './profiles.repository';
import { approvedFields, checkPublicFields, diffPublicFields, type FieldChange } from './public-profile';

export type ProfileDraft = ProfileDraftRow;

/** Everything a lender's public page shows. */
export interface LenderProfile {
  institution: InstitutionRow;
  /** the approved public information */
  fields: PublicProfileFields;
  /** its listed products */
  products: ProductView[];
  figures: LenderFigures;
  reviews: InstitutionRating;
}

/** A draft as the reviewer opens it: the institution, the approved fields beside the proposed ones. */
export interface ProfileDraftReview {
  draft: ProfileDraft;
  institution: InstitutionRow;
  diff: FieldChange[];
}

export interface LenderProfilesServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  products: { listForInstitution(institutionId: string): Promise<ProductView[]> };
  reviews: { forInstitution(institutionId: string, limit?: number): Promise<InstitutionRating> };
}

const DAY_MS = 86_400_000;

/**
 * Lenders' public pages: the approved public information with its figures (approval rate and
 * response time over a stated window, reviews, complaint record), and the institution's changes
 * to it, each a draft an operator approves or rejects before the page shows it.
 */
export class LenderProfilesService {
  private readonly institutions: InstitutionsRepository;
  private readonly profiles: ProfilesRepository;

  constructor(private readonly deps: LenderProfilesServiceDeps) {
    this.institutions = new InstitutionsRepository(deps.db);
    this.profiles = new ProfilesRepository(deps.db);
  }

  private async institution(id: string): Promise<InstitutionRow> {
    const row = await this.institutions.byId(id);
    if (!row) throw new NotFoundError('机构');
    return row;
  }

  /** The figures of one institution as of now: applications of the last 90 days, complaints of the last year. */
  async figures(institutionId: string, now = this.deps.clock.now()): Promise<LenderFigures> {
    const counts = await this.profiles.counts(institutionId, new Date(now.getTime() - FIGURES_WINDOW_DAYS * DAY_MS), new Date(now.getTime() - COMPLAINTS_WINDOW_DAYS * DAY_MS));
    return lenderFigures(counts);
  }

  /** The public page of an institution (any visitor): the approved information only. */
  async publicProfile(institutionId: string): Promise<LenderProfile> {
    const institution = await this.institution(institutionId);
    const [products, figures, reviews] = await Promise.all([
      this.deps.products.listForInstitution(institutionId),
      this.figures(institutionId),
      this.deps.reviews.forInstitution(institutionId, 10),
    ]);
    return { institution, fields: approvedFields(institution), products: products.filter((p) => p.status === 'listed'), figures, reviews };
  }

  // ── the institution's drafts ──────────────────────────────────────────────────────────
  /** The institution's approved public information and its drafts, newest first. */
  async ownProfile(institutionId: string): Promise<{ institution: InstitutionRow; fields: PublicProfileFields; drafts: ProfileDraft[] }> {
    const institution = await this.institution(institutionId);
    return { institution, fields: approvedFields(institution), drafts: await this.profiles.draftsOf(institutionId) };
  }

  /** One of the institution's own drafts; another institution's is "not found". */
  async ownDraft(institutionId: string, draftId: string): Promise<ProfileDraft> {
    const draft = await this.profiles.draft(draftId);
    if (!draft || draft.institutionId !== institutionId) throw new NotFoundError('公开信息修改');
    return draft;
  }

  /** Submits a change of the public information for review; the page keeps the approved one meanwhile. One draft in review at a time (409). */
  async submitDraft(institutionId: string, input: PublicProfileFields, actor: AuditActor): Promise<ProfileDraft> {
    const proposed = checkPublicFields(input);
    const institution = await this.institution(institutionId);
    const previous = approvedFields(institution);
    if (diffPublicFields(previous, proposed).every((f) => !f.changed)) throw new ConflictError('unchanged', '内容与当前公开信息相同，无需提交');
    try {
      return await withTransaction(this.deps.db, async (tx) => {
        const draft = await this.profiles.insertDraft(tx, { id: newId('ipd'), institutionId, proposed, previous, submittedBy: actor.id ?? 'unknown', submittedAt: this.deps.clock.now() });
        await this.deps.audit.record(actor, { action: 'institution_profile.submitted', objectType: 'institution_profile_draft', objectId: draft.id, detail: { institutionId } }, tx);
        return draft;
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('version_in_review', '已有一份修改在审核中，审核完成后才能再次提交');
      throw err;
    }
  }

  // ── operators' review ─────────────────────────────────────────────────────────────────
  /** Drafts waiting for review, oldest first. */
  reviewQueue(): Promise<{ draft: ProfileDraft; institutionName: string }[]> {
    return this.profiles.draftsIn('submitted');
  }

  /** A draft beside the institution's current approved information; the view is recorded. */
  async reviewDetail(draftId: string, actor: AuditActor): Promise<ProfileDraftReview> {
    const draft = await this.profiles.draft(draftId);
    if (!draft) throw new NotFoundError('公开信息修改');
    const institution = await this.institution(draft.institutionId);
    await this.deps.audit.recordNow(actor, { action: 'institution_profile.review_viewed', objectType: 'institution_profile_draft', objectId: draft.id });
    // a decided draft is shown against what was approved when it was submitted
    const before = draft.status === 'submitted' ? approvedFields(institution) : draft.previous;
    return { draft, institution, diff: diffPublicFields(before, draft.proposed) };
  }

  /** Approves a submitted draft: the public page shows it from now on. */
  async approve(draftId: string, comment: string, actor: AuditActor): Promise<ProfileDraft> {
    return this.decide(draftId, 'approved', comment.trim() || null, actor);
  }

  /** Rejects a submitted draft with a reason the institution reads; the public page is unchanged. */
  async reject(draftId: string, reason: string, actor: AuditActor): Promise<ProfileDraft> {
    const why = reason.trim();
    if (why.length < 2 || why.length > 500) throw new ValidationError('驳回时必须填写原因', { comment: '请写明驳回原因（2–500 字）' });
    return this.decide(draftId, 'rejected', why, actor);
  }

  private async decide(draftId: string, status: 'approved' | 'rejected', comment: string | null, actor: AuditActor): Promise<ProfileDraft> {
    const existing = await this.profiles.draft(draftId);
    if (!existing) throw new NotFoundError('公开信息修改');
    return withTransaction(this.deps.db, async (tx) => {
      const institution = await this.institutions.lock(tx, existing.institutionId);
      const decided = await this.profiles.decide(tx, draftId, { status, reviewedBy: actor.id ?? null, reviewedAt: this.deps.clock.now(), reviewComment: comment });
      if (!decided) throw new ConflictError('not_submitted', '这份修改已审核过');
      if (status === 'approved') await this.institutions.update(tx, decided.institutionId, decided.proposed);
      const changed = diffPublicFields(approvedFields(institution!), decided.proposed).filter((f) => f.changed).map((f) => f.key);
      await this.deps.audit.record(actor, { action: `institution_profile.${status}`, objectType: 'institution_profile_draft', objectId: draftId, detail: { institutionId: decided.institutionId, comment, fields: changed } }, tx);
      return decided;
    });
  }
}

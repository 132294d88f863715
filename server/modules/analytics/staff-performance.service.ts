import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { openDisplayName, roleLabels } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { DateRange } from './date-range';
import { institutionRows, institutionTotals, operatorRows, type InstitutionStaffPerformance, type OperatorPerformance, type Person } from './staff-performance';
import { StaffPerformanceRepository } from './staff-performance.repository';

export interface StaffPerformanceDeps {
  db: Database;
  audit: AuditService;
  /** opens the staff members' names */
  pii: PiiCipher;
}

export interface InstitutionPerformanceReport {
  range: { from: string; to: string };
  institutionId: string;
  staff: InstitutionStaffPerformance[];
  totals: ReturnType<typeof institutionTotals>;
}

export interface OperatorPerformanceReport {
  range: { from: string; to: string };
  operators: OperatorPerformance[];
}

/**
 * Staff performance reports (SQL aggregates per person, basis in staff-performance.repository.ts):
 * an institution's staff (the institution sees only its own; operators any institution) and the
 * platform's operators. A CSV export is audited like the other statistics exports.
 */
export class StaffPerformanceService {
  private readonly repo: StaffPerformanceRepository;

  constructor(private readonly deps: StaffPerformanceDeps) {
    this.repo = new StaffPerformanceRepository(deps.db);
  }

  private people(rows: { id: string; displayNameEnc: string | null; role: string }[]): Person[] {
    return rows.map((r) => ({ id: r.id, name: openDisplayName(this.deps.pii, r.displayNameEnc), role: roleLabels[r.role as keyof typeof roleLabels] ?? r.role }));
  }

  async forInstitution(institutionId: string, range: DateRange): Promise<InstitutionPerformanceReport> {
    const [staff, measures] = await Promise.all([this.repo.staffOf(institutionId), this.repo.institution(institutionId, range.start, range.end)]);
    const rows = institutionRows(this.people(staff), measures);
    return { range: { from: range.from, to: range.to }, institutionId, staff: rows, totals: institutionTotals(rows) };
  }

  async forOperators(range: DateRange): Promise<OperatorPerformanceReport> {
    const [operators, measures] = await Promise.all([this.repo.operators(), this.repo.operator(range.start, range.end)]);
    return { range: { from: range.from, to: range.to }, operators: operatorRows(this.people(operators), measures) };
  }

  /** The export is a release of named staff figures: audited. */
  async recordExport(actor: AuditActor, report: 'institution_staff' | 'operators', range: DateRange, institutionId?: string): Promise<void> {
    await this.deps.audit.recordNow(actor, { action: 'staff_performance.exported', objectType: 'report', objectId: report, detail: { from: range.from, to: range.to, institutionId: institutionId ?? null } });
  }
}

import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { applications } from '../applications/applications.schema';
import { documents } from './documents.schema';

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentInsert = typeof documents.$inferInsert;

/** What a consumer's documents take up: on one application and on the whole account. */
export interface DocumentUsage {
  appFiles: number;
  appBytes: number;
  files: number;
  bytes: number;
}

/** SQL for application documents. Reads take the database (or the caller's transaction); writes take the caller's transaction. */
export class DocumentsRepository {
  constructor(private readonly db: Database) {}

  /** The consumer's own application's status (undefined when it is not theirs). */
  async ownApplication(consumerId: string, applicationId: string): Promise<{ status: string; rejectReason: string | null } | undefined> {
    const [row] = await this.db
      .select({ status: applications.status, rejectReason: applications.rejectReason })
      .from(applications)
      .where(and(eq(applications.id, applicationId), eq(applications.consumerId, consumerId)));
    return row;
  }

  /** One upload at a time per account, for the rest of the transaction. */
  async lockUploads(tx: Tx, consumerId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`documents:${consumerId}`}))`);
  }

  /** The files and bytes the consumer holds, on this application and in all. */
  async usage(consumerId: string, applicationId: string, db: Database = this.db): Promise<DocumentUsage> {
    const [used] = await db
      .select({
        appFiles: sql`count(*) filter (where ${documents.applicationId} = ${applicationId})`.mapWith(Number),
        appBytes: sql`coalesce(sum(${documents.size}) filter (where ${documents.applicationId} = ${applicationId}), 0)`.mapWith(Number),
        files: sql`count(*)`.mapWith(Number),
        bytes: sql`coalesce(sum(${documents.size}), 0)`.mapWith(Number),
      })
      .from(documents)
      .where(eq(documents.consumerId, consumerId));
    return used ?? { appFiles: 0, appBytes: 0, files: 0, bytes: 0 };
  }

  async insert(tx: Tx, row: DocumentInsert): Promise<DocumentRow> {
    const [created] = await tx.insert(documents).values(row).returning();
    return created!;
  }

  /** The application's documents, oldest first. */
  ofApplication(applicationId: string): Promise<DocumentRow[]> {
    return this.db.select().from(documents).where(eq(documents.applicationId, applicationId)).orderBy(asc(documents.createdAt));
  }

  /** The consumer's own document. */
  async ownedBy(consumerId: string, documentId: string): Promise<DocumentRow | undefined> {
    const [row] = await this.db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.consumerId, consumerId)));
    return row;
  }

  /** A document of an application the institution received, with that application's consent. */
  async forInstitution(institutionId: string, documentId: string): Promise<{ doc: DocumentRow; consentId: string | null } | undefined> {
    const [row] = await this.db
      .select({ doc: documents, consentId: applications.consentId })
      .from(documents)
      .innerJoin(applications, eq(applications.id, documents.applicationId))
      .where(and(eq(documents.id, documentId), eq(applications.institutionId, institutionId)));
    return row;
  }
}

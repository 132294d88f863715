import { sqlState, type Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { EventBus } from '../../lib/events';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { defaultDictionary, type DictionaryEntry, type SearchDictionary } from './dictionary';
import { dictionaryEntriesSchema, parseDictionaryText } from './dictionary-text';
import { understandQuery } from './query-understanding';
import { SearchDictionaryRepository, type QueryStat } from './search-dictionary.repository';

/** One version of the dictionary as operators see it. */
export interface DictionaryVersion extends SearchDictionary {
  entries: DictionaryEntry[];
  note: string;
  author: string;
  createdBy: string | null;
  /** null for the code default (version 1 while nothing was saved) */
  createdAt: Date | null;
}

/** A search text in the report, with what query understanding makes of it under the active dictionary. */
export interface QueryReportRow extends QueryStat {
  /** what the index is asked: 买车 → 车贷 (empty when only filters or an order were read) */
  rewritten: string;
  /** what was read, in words: 买车 → 车贷, 5万 → 金额 5万 */
  understood: string[];
}

export interface QueryReport {
  days: number;
  since: Date;
  top: QueryReportRow[];
  zeroResults: QueryReportRow[];
}

export const reportPeriods = [7, 30] as const;

export interface SearchDictionaryServiceDeps {
  db: Database;
  audit: AuditService;
  events: EventBus;
  clock: Clock;
  /** writes buffered search events before a report reads them */
  flushEvents?: () => Promise<void>;
  /** how long another instance's saved version may take to be read here */
  maxAgeMs?: number;
}

const codeDefault = (): DictionaryVersion => ({ ...defaultDictionary, entries: [...defaultDictionary.entries], note: '系统默认词典', author: '系统', createdBy: null, createdAt: null });

/**
 * The search dictionary operators edit: each save is a new version (the full entry list) with an
 * audit row in the same transaction; the latest version is active, the code default is version 1
 * while nothing was saved. Query understanding reads `active()`; the catalogue drops cached
 * results on `search.dictionaryChanged`.
 */
export class SearchDictionaryService {
  private readonly repo: SearchDictionaryRepository;
  private cached: { dictionary: SearchDictionary; at: number } | undefined;

  constructor(private readonly deps: SearchDictionaryServiceDeps) {
    this.repo = new SearchDictionaryRepository(deps.db);
  }

  /** The version in force with its details. */
  async current(): Promise<DictionaryVersion> {
    const row = await this.repo.latest();
    return row ? { ...row, entries: row.entries } : codeDefault();
  }

  /** The dictionary in force, read at most every few seconds (another instance's save shows within that). */
  async active(): Promise<SearchDictionary> {
    const now = this.deps.clock.now().getTime();
    if (this.cached && now - this.cached.at < (this.deps.maxAgeMs ?? 5000) && now >= this.cached.at) return this.cached.dictionary;
    const { version, entries } = await this.current();
    const dictionary = { version, entries };
    this.cached = { dictionary, at: now };
    return dictionary;
  }

  /** Versions, newest first; the code default (version 1) last while no saved version replaced it. */
  async history(limit = 50): Promise<DictionaryVersion[]> {
    const rows = (await this.repo.list(limit)).map((row): DictionaryVersion => ({ ...row, entries: row.entries }));
    if (rows.length < limit && !rows.some((r) => r.version === 1)) rows.push(codeDefault());
    return rows;
  }

  async version(version: number): Promise<DictionaryVersion> {
    if (version === 1) {
      const row = await this.repo.find(1);
      return row ? { ...row, entries: row.entries } : codeDefault();
    }
    const row = await this.repo.find(version);
    if (!row) throw new NotFoundError('词典版本');
    return { ...row, entries: row.entries };
  }

  /**
   * Saves a full entry list as the next version. Refused (400) when a kind is unknown, a word
   * empty, an intent not one of the typed list, or one word appears in two entries; the fields
   * name the entry (`entries.3.words`).
   */
  async save(input: unknown, options: { note?: string; author?: string }, actor: AuditActor): Promise<DictionaryVersion> {
    const parsed = dictionaryEntriesSchema.safeParse(input);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[['entries', ...issue.path].join('.')] ??= issue.message;
      throw new ValidationError('搜索词典有误', fields);
    }
    return this.store(parsed.data as DictionaryEntry[], options, actor);
  }

  /**
   * Saves the one-entry-per-line text (the admin form). Errors name the line:
   * `{ entries: '第 3 行：…' }`.
   */
  async saveText(text: string, options: { note?: string; author?: string }, actor: AuditActor): Promise<DictionaryVersion> {
    const read = parseDictionaryText(text);
    const problems = [...read.errors];
    const parsed = dictionaryEntriesSchema.safeParse(read.entries);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const index = typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
        problems.push({ line: index === undefined ? 0 : read.lines[index]!, message: issue.message });
      }
    }
    if (problems.length > 0) {
      problems.sort((a, b) => a.line - b.line);
      const said = problems.slice(0, 5).map((p) => (p.line ? `第 ${p.line} 行：${p.message}` : p.message));
      if (problems.length > 5) said.push(`另有 ${problems.length - 5} 处`);
      throw new ValidationError('搜索词典有误', { entries: said.join('；') });
    }
    return this.store(parsed.data as DictionaryEntry[], options, actor);
  }

  /** Saves an earlier version's entries as the next version. */
  async revert(version: number, options: { author?: string }, actor: AuditActor): Promise<DictionaryVersion> {
    const old = await this.version(version);
    return this.store(old.entries, { note: `恢复第 ${version} 版`, author: options.author, revertedFrom: version }, actor);
  }

  private async store(entries: DictionaryEntry[], options: { note?: string; author?: string; revertedFrom?: number }, actor: AuditActor): Promise<DictionaryVersion> {
    const note = (options.note ?? '').trim().slice(0, 200);
    // two saves at once: the second finds the version number taken (unique) and is told to reload
    const row = await withTransaction(this.deps.db, async (tx) => {
      const latest = await this.repo.latest(tx);
      const before = latest ? latest.entries : defaultDictionary.entries;
      const version = Math.max(latest?.version ?? 1, 1) + 1;
      const created = await this.repo.insert(tx, { version, entries, note, createdBy: actor.id ?? null, author: (options.author ?? '').slice(0, 100) });
      await this.deps.audit.record(
        actor,
        {
          action: 'search.dictionary_saved',
          objectType: 'search_dictionary',
          objectId: String(version),
          detail: { version, note, entries: entries.length, ...summariseChange(before, entries), ...(options.revertedFrom ? { revertedFrom: options.revertedFrom } : {}) },
        },
        tx,
      );
      return created;
    }).catch((err: unknown) => {
      if (sqlState(err) === '23505') throw new ConflictError('concurrent_change', '词典刚被其他人修改，请刷新后再保存');
      throw err;
    });
    this.cached = undefined;
    // after the commit: the catalogue drops cached results and an Elasticsearch index takes the new synonyms
    await this.deps.events.emit('search.dictionaryChanged', { version: row.version });
    return { ...row, entries: row.entries };
  }

  /** Top searches and searches that found nothing over the last `days` days, each with what understanding makes of it now. */
  async queryReport(days: number, limit = 50): Promise<QueryReport> {
    await this.deps.flushEvents?.();
    const since = new Date(this.deps.clock.now().getTime() - days * 86_400_000);
    const [top, zero, dictionary] = await Promise.all([this.repo.queryStats(since, limit), this.repo.queryStats(since, limit, true), this.active()]);
    const withRewrite = (s: QueryStat): QueryReportRow => {
      const u = understandQuery(s.query, dictionary);
      return { ...s, rewritten: u.text, understood: u.understood.map((x) => `${x.from} → ${x.to}`) };
    };
    return { days, since, top: top.map(withRewrite), zeroResults: zero.map(withRewrite) };
  }
}

/** What changed between two entry lists, in counts and words (the version list's summary). */
export function summariseChange(before: readonly DictionaryEntry[], after: readonly DictionaryEntry[]): { added: string[]; removed: string[] } {
  const words = (entries: readonly DictionaryEntry[]) => new Map(entries.flatMap((e) => e.words.map((w) => [w, describeTarget(e)] as const)));
  const a = words(before);
  const b = words(after);
  const added = [...b].filter(([w, t]) => a.get(w) !== t).map(([w, t]) => `${w} → ${t}`);
  const removed = [...a].filter(([w, t]) => b.get(w) !== t).map(([w, t]) => `${w} → ${t}`);
  return { added, removed };
}

function describeTarget(e: DictionaryEntry): string {
  return e.kind === 'synonym' ? e.to : e.kind === 'intent' ? `意图 ${e.intent}` : `${e.to}（不是 ${e.negates}）`;
}

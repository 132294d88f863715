import { auditActor } from '../../audit-actor';
import type { DictionaryVersion } from '../../../modules/search';
import { guard, route, type ApiRoute } from '../route-table';
import { dictionaryBody, dictionaryResponse, savedDictionaryResponse, searchReportQuery, searchReportResponse } from './search.schemas';

const manage = guard.operator('search.manage');
const versionJson = (v: DictionaryVersion) => ({ version: v.version, note: v.note, author: v.author, createdAt: v.createdAt ? v.createdAt.toISOString() : null });

/** `/api/admin/v1/search`: the search dictionary (versioned) and what people search for. */
export const adminSearchRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/search/queries',
    guard: manage,
    summary: 'Search report (permission search.manage): top searches and searches that matched nothing over the last 7 or 30 days, each with what query understanding makes of it under the active dictionary',
    query: searchReportQuery,
    queryError: '查询参数有误',
    responseDescription: '{ days, since, top: [{ query, searches, lastSeen, lastResultCount, zeroResults, rewritten, understood }], zeroResults: [...] }',
    response: searchReportResponse,
    handler: async ({ query, services }) => {
      const report = await services.searchDictionary.queryReport(query.days ?? 7, query.limit ?? 50);
      const row = (r: (typeof report.top)[number]) => ({ ...r, lastSeen: r.lastSeen.toISOString() });
      return { days: report.days, since: report.since.toISOString(), top: report.top.map(row), zeroResults: report.zeroResults.map(row) };
    },
  }),
  route({
    method: 'get',
    path: '/search/dictionary',
    guard: manage,
    summary: 'The search dictionary in force (permission search.manage), with the list of versions',
    responseDescription: '{ version, note, author, createdAt, entries: [{ kind, words, to | intent | negates }], versions: [{ version, note, author, createdAt, entries }] }',
    response: dictionaryResponse,
    handler: async ({ services }) => {
      const [current, history] = await Promise.all([services.searchDictionary.current(), services.searchDictionary.history(50)]);
      return { ...versionJson(current), entries: current.entries, versions: history.map((v) => ({ ...versionJson(v), entries: v.entries.length })) };
    },
  }),
  route({
    method: 'put',
    path: '/search/dictionary',
    guard: manage,
    summary: 'Saves the full entry list as the next dictionary version (permission search.manage, audited); searches use it at once. To revert, PUT an earlier version’s entries.',
    description: 'Refused with 400 when a kind is unknown, a word is empty, an intent is not fast, low-apr or employee, or one word appears in two entries; the fields name the entry (`entries.3.words.0`).',
    body: dictionaryBody,
    bodyError: '搜索词典有误',
    responseDescription: '{ version, note, author, createdAt, entries }',
    response: savedDictionaryResponse,
    handler: async ({ body, services, principal, req }) => {
      const saved = await services.searchDictionary.save(body.entries, { note: body.note, author: principal.account.displayName }, auditActor(req));
      return { ...versionJson(saved), entries: saved.entries };
    },
  }),
];

import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoConsumers } from '../../server/demo/demo-data';
import { startTestApp, type TestApp } from '../support/app';
import { crawl, type FoundForm } from '../support/crawl';
import { DEEP_JSON, LONE_SURROGATE_TEXT, NUL_TEXT, oddFormTexts } from '../support/hostile';

type Agent = ReturnType<typeof request.agent>;
type Fields = [name: string, value: string][];

/** Forms that end or change the session the rest runs in: logging out, closing the account, starting MFA set-up. */
const sessionEnding = /logout|\/close$|mfa\/start/;

/**
 * One form posted with bad input, in every way a browser or a script can send it: urlencoded
 * (multipart for upload forms) and JSON (which every page route also parses). NUL bytes, lone
 * surrogates and deep nesting are refused at the edge: an HTML 400 page naming the field. The
 * rest (nothing filled in, text where numbers, dates or choices are expected, huge numbers as
 * text and as JSON numbers, repeated fields, objects) may give any page or redirect but a server error.
 */
async function postBadInput(agent: Agent, form: FoundForm): Promise<{ posted: number; problems: string[] }> {
  const page = await agent.get(form.page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const hidden = Object.entries(form.hidden).filter(([name]) => name !== '_csrf' && name !== 'idempotencyKey');
  const own = (): Fields => [
    ['_csrf', csrf],
    ['idempotencyKey', randomUUID()],
  ];
  const visibleAs = (value: string): Fields => form.visible.map((name) => [name, value]);
  const named = [...hidden.map(([name]) => name), ...form.visible];
  const all = named.length ? named : ['note'];

  const asForm = (fields: Fields) => {
    const post = agent.post(form.action);
    if (form.multipart) return fields.reduce((r, [k, v]) => r.field(k, v), post);
    return post.type('form').send(fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  };
  /** values are JSON texts */
  const asJson = (fields: Fields) =>
    agent
      .post(form.action)
      .type('json')
      .send(`{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  const quoted = (fields: Fields): Fields => fields.map(([k, v]) => [k, JSON.stringify(v)]);

  const refused: [string, () => request.Test, string][] = [
    ['a NUL byte in every field', () => asForm([...own(), ...all.map((name): [string, string] => [name, NUL_TEXT])]), all[0]!],
    ['a lone surrogate in every field (JSON)', () => asJson([...quoted(own()), ...all.map((name): [string, string] => [name, JSON.stringify(LONE_SURROGATE_TEXT)])]), all[0]!],
    ['10,000-deep nesting (JSON)', () => asJson([...quoted([...own(), ...hidden]), [form.visible[0] ?? 'value', DEEP_JSON]]), form.visible[0] ?? 'value'],
  ];
  const odd: [string, () => request.Test][] = [
    ['nothing filled in', () => asForm([...own(), ...hidden])],
    ['text in every field', () => asForm([...own(), ...hidden, ...form.visible.map((name): [string, string] => [name, `x'<>"${name}`])])],
    ...Object.entries(oddFormTexts).map(([label, text]): [string, () => request.Test] => [`${label} in every field`, () => asForm([...own(), ...hidden, ...visibleAs(text)])]),
    ['every field twice', () => asForm([...own(), ...hidden, ...visibleAs('1'), ...visibleAs('2')])],
    ...['{"a":1}', '1e309'].map((json): [string, () => request.Test] => [
      `${json} in every field (JSON)`,
      () => asJson([...quoted([...own(), ...hidden]), ...form.visible.map((name): [string, string] => [name, json])]),
    ]),
  ];

  const problems: string[] = [];
  let posted = 0;
  for (const [label, send, field] of refused) {
    const res = await send();
    posted++;
    if (res.status !== 400 || !String(res.headers['content-type']).includes('text/html') || !res.text.includes(`「${field}」`)) {
      problems.push(`${res.status} ${label} ${form.action} (expected an HTML 400 naming 「${field}」)`);
    }
  }
  for (const [label, send] of odd) {
    const res = await send();
    posted++;
    if (res.status >= 500 || res.status === 403) problems.push(`${res.status} ${label} ${form.action}`);
  }
  return { posted, problems };
}

/**
 * The forms a consumer, an institution admin and a super admin are shown on the demo data (found
 * by following every link, so a new form is covered the day it appears), each posted with bad
 * input: never a server error, and what cannot be stored is refused naming the field.
 */
describe('every form refuses bad input with a page, never a server error', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
    const institutionId = (await t.container.services.institutions.list())[0]!.id;
    await t.container.services.accounts.createStaff({ kind: 'operator', username: 'fuzz.super_admin', password: DEMO_PASSWORD, displayName: '超管', role: 'super_admin' });
    await t.container.services.accounts.createStaff({ kind: 'institution', username: 'fuzz.i.admin', password: DEMO_PASSWORD, displayName: '机构管理员', role: 'admin', institutionId });
  });
  afterAll(() => t?.close());

  it.each([
    ['a consumer', '/api/v1/auth/login', { phone: demoConsumers[1]!.phone }, ['/', '/account'], /^\/(?!admin|partner)/, 10],
    ['an institution admin', '/api/partner/v1/auth/login', { username: 'fuzz.i.admin' }, ['/partner'], /^\/partner/, 10],
    ['a super admin', '/api/admin/v1/auth/login', { username: 'fuzz.super_admin' }, ['/admin'], /^\/admin/, 40],
  ] as const)('in every form %s sees', { timeout: 180_000 }, async (_who, login, credentials, start, surface, atLeast) => {
    const agent = request.agent(t.app);
    await agent.post(login).send({ ...credentials, password: DEMO_PASSWORD }).expect(200);
    const { forms } = await crawl(agent, [...start], surface);
    expect(forms.length).toBeGreaterThanOrEqual(atLeast);
    const problems: string[] = [];
    let posted = 0;
    for (const form of forms.filter((f) => !sessionEnding.test(f.action))) {
      const result = await postBadInput(agent, form);
      problems.push(...result.problems);
      posted += result.posted;
    }
    expect(problems).toEqual([]);
    expect(posted).toBeGreaterThanOrEqual((atLeast - 3) * 11);
    // still signed in: no form quietly ended the session the rest ran in
    await agent.get(start[start.length - 1]!).redirects(0).expect(200);
  });
});

import type request from 'supertest';

type Agent = ReturnType<typeof request.agent>;

/** the same page with another id or query is not visited again */
const shapeOf = (href: string) => href.replace(/[?].*$/, '').replace(/[0-9a-z_]{20,}/g, ':id');

export interface FoundForm {
  page: string;
  action: string;
  hidden: Record<string, string>;
  visible: string[];
  multipart: boolean;
}

/**
 * Follows every same-surface link a person sees, from the surface's home, breadth first; one
 * page per path shape. Downloads, printing and logging out are not followed. Collects the
 * POST forms on the way (one per action shape).
 */
export async function crawl(agent: Agent, start: string[], surface: RegExp, limit = 400): Promise<{ visited: number; problems: string[]; forms: FoundForm[] }> {
  const seen = new Set<string>();
  const shapes = new Set<string>();
  const forms = new Map<string, FoundForm>();
  const queue = [...start];
  const problems: string[] = [];
  while (queue.length && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    shapes.add(shapeOf(url));
    const res = await agent.get(url);
    if (res.status >= 400) problems.push(`${res.status} ${url}`);
    if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
    for (const m of res.text.matchAll(/href="([^"#]+)"/g)) {
      const href = m[1]!.replace(/&amp;/g, '&');
      if (!href.startsWith('/') || href.startsWith('//') || !surface.test(href)) continue;
      if (/logout|\.csv|\/assets\/|download|export|print/.test(href)) continue;
      if (!seen.has(href) && !shapes.has(shapeOf(href))) queue.push(href);
    }
    for (const f of res.text.matchAll(/<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/gi)) {
      const action = (/action="([^"]+)"/.exec(f[0])?.[1] ?? url).replace(/&amp;/g, '&');
      const hidden: Record<string, string> = {};
      const visible: string[] = [];
      for (const field of f[1]!.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
        if (/type="hidden"/.test(field[0])) hidden[field[1]!] = /value="([^"]*)"/.exec(field[0])?.[1] ?? '';
        // a radio group or a list of checkboxes: one field name
        else if (!visible.includes(field[1]!)) visible.push(field[1]!);
      }
      if (!forms.has(shapeOf(action))) forms.set(shapeOf(action), { page: url, action, hidden, visible, multipart: /multipart/.test(f[0]) });
    }
  }
  return { visited: seen.size, problems, forms: [...forms.values()] };
}

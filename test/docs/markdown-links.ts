import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt, { type Token } from 'markdown-it';

/** One relative link that points at nothing: the file it is in, its line, the link and why. */
export interface BrokenLink {
  file: string;
  line: number;
  href: string;
  reason: string;
}

const markdown = new MarkdownIt({ html: true });
const explicitAnchor = /<a\s[^>]*?\b(?:id|name)\s*=\s*"([^"]+)"/gi;
const hasScheme = /^[a-z][a-z0-9+.-]*:/i;

/** README.md and every markdown file under docs/, as paths relative to `root`. */
export function documentationFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  const underDocs = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.md'))
        .map((name) => path.join('docs', name))
    : [];
  return ['README.md', ...underDocs.sort()];
}

function* walk(tokens: Token[], line = 0): Generator<{ token: Token; line: number }> {
  for (const token of tokens) {
    const at = token.map ? token.map[0] + 1 : line;
    yield { token, line: at };
    if (token.children) yield* walk(token.children, at);
  }
}

/** The text GitHub makes a heading's anchor from: what is shown, without markup. */
function headingText(inline: Token | undefined): string {
  return (inline?.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}

/** Every anchor a markdown text offers: its headings, slugged as GitHub does (duplicates get -1, -2 …), and explicit `<a id>`/`<a name>`. */
export function anchorsOf(source: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const tokens = markdown.parse(source, {});
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') anchors.add(slugger.slug(headingText(tokens[i + 1])));
  });
  for (const { token } of walk(tokens)) {
    if (token.type !== 'html_inline' && token.type !== 'html_block') continue;
    for (const match of token.content.matchAll(explicitAnchor)) anchors.add(match[1]!);
  }
  return anchors;
}

/** Every link and image target in a markdown text, with its line. */
export function linksOf(source: string): { href: string; line: number }[] {
  const links: { href: string; line: number }[] = [];
  for (const { token, line } of walk(markdown.parse(source, {}))) {
    const href = token.type === 'link_open' ? token.attrGet('href') : token.type === 'image' ? token.attrGet('src') : null;
    if (href) links.push({ href: String(href), line });
  }
  return links;
}

/**
 * The relative links of the documentation that point at a missing file or a missing heading.
 * Links with a scheme (https:, mailto:) are not followed; `/x` is read from the repository root, as GitHub does.
 */
export function brokenLinks(root: string, files = documentationFiles(root)): BrokenLink[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    let anchors = anchorCache.get(file);
    if (!anchors) anchorCache.set(file, (anchors = anchorsOf(readFileSync(file, 'utf8'))));
    return anchors;
  };
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const absolute = path.join(root, file);
    for (const { href, line } of linksOf(readFileSync(absolute, 'utf8'))) {
      if (hasScheme.test(href) || href.startsWith('//')) continue;
      const hashAt = href.indexOf('#');
      const target = decodeURI(hashAt === -1 ? href : href.slice(0, hashAt));
      const fragment = hashAt === -1 ? '' : decodeURIComponent(href.slice(hashAt + 1));
      const targetFile = target === '' ? absolute : target.startsWith('/') ? path.join(root, target) : path.resolve(path.dirname(absolute), target);
      const report = (reason: string) => broken.push({ file, line, href, reason });
      if (!existsSync(targetFile)) {
        report(`no file ${path.relative(root, targetFile)}`);
      } else if (fragment && statSync(targetFile).isFile() && targetFile.endsWith('.md') && !anchorsIn(targetFile).has(fragment)) {
        report(`no heading #${fragment} in ${path.relative(root, targetFile)}`);
      }
    }
  }
  return broken;
}

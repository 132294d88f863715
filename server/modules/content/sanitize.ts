import sanitizeHtml from 'sanitize-html';

/** Images may only come from our own static assets or uploaded content media. */
const OWN_IMAGE = /^\/(?:assets|media)\/[\w-]+(?:\/[\w-]+)*(?:\.[a-z0-9]+)?$/i;

/**
 * The article HTML policy: headings, paragraphs, emphasis, lists, quotes, tables, links (with
 * rel="noopener nofollow") and images from our own /assets or /media only. Scripts, event
 * handlers, style attributes, classes and javascript: URLs never survive. What the editor's
 * browser produced (b, i, div) is mapped onto the allowed tags.
 */
const policy: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h2', 'h3', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'blockquote', 'img', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    b: 'strong',
    i: 'em',
    h1: 'h2',
    div: 'p',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener nofollow' } }),
  },
  exclusiveFilter: (frame) => {
    if (frame.tag === 'img') return !OWN_IMAGE.test(frame.attribs.src ?? '') || (frame.attribs.src ?? '').includes('..');
    // a link whose href was removed (javascript:, data:) is dropped as an anchor, its text kept by the p around it
    return false;
  },
};

export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, policy).trim();
}

/** Plain text of (sanitised) HTML, whitespace collapsed: what search looks at. */
export function htmlToText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h2|h3|li|blockquote|tr|td|th)>|<br\s*\/?>/gi, '$& '), { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

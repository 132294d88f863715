/**
 * Ways to leave the site through a `next` or another local link (before issue 13, the tab, LF
 * and CRLF ones rendered a 「继续申请」 link to evil.example). Used by the unit test of
 * localPath and by the HTTP tests of every page that takes a `next`.
 */
export const offSitePayloads: string[] = [
  '//evil.example/x',
  '/\\evil.example/x',
  '\\/evil.example/x',
  '\\\\evil.example/x',
  '/\t/evil.example/x',
  '/\n/evil.example/x',
  '/\r\n/evil.example/x',
  '\t//evil.example/x',
  ' //evil.example/x',
  '\u0000//evil.example/x',
  '///evil.example/x',
  '////evil.example/x',
  '/.//evil.example/x',
  '/..//evil.example/x',
  'https://evil.example/x',
  'HTTPS://evil.example/x',
  'https:evil.example/x',
  'http:evil.example/x',
  'http://evil.example/x',
  '//user@evil.example/x',
  'javascript:alert(document.domain)',
  'JavaScript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'mailto:someone@evil.example',
  '//evil.example%2f@daichao.example',
];


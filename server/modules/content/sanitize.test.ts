import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeArticleHtml } from './sanitize';

describe('article HTML policy', () => {
  it('keeps the allowed structure', () => {
    const html =
      '<h2>标题</h2><h3>小节</h3><p><strong>粗</strong> <em>斜</em></p><ul><li>一</li></ul><ol><li>二</li></ol>' +
      '<blockquote>引用</blockquote><table><thead><tr><th>期限</th></tr></thead><tbody><tr><td colspan="2">12</td></tr></tbody></table>';
    expect(sanitizeArticleHtml(html)).toBe(html);
  });

  it('removes scripts, event handlers, style attributes and javascript: URLs', () => {
    const out = sanitizeArticleHtml(
      '<p style="color:red" onclick="x()">文字<script>alert(1)</script></p><img src="/media/med_abc" onerror="alert(1)">' +
        '<a href="javascript:alert(1)">坏链接</a><a href="JaVaScRiPt:alert(1)">坏</a><style>p{}</style><iframe src="/x"></iframe>',
    );
    expect(out).not.toMatch(/script|onerror|onclick|style|javascript|iframe/i);
    expect(out).toContain('<p>文字</p>');
    expect(out).toContain('<img src="/media/med_abc" />');
    expect(out).toContain('坏链接');
  });

  it('adds rel="noopener nofollow" to links and keeps safe hrefs', () => {
    expect(sanitizeArticleHtml('<a href="https://www.pbccrc.org.cn" target="_blank" rel="opener">征信中心</a>')).toBe(
      '<a href="https://www.pbccrc.org.cn" rel="noopener nofollow">征信中心</a>',
    );
    expect(sanitizeArticleHtml('<a href="/guides/abc">站内</a>')).toBe('<a href="/guides/abc" rel="noopener nofollow">站内</a>');
  });

  it('allows images only from /assets and uploaded media', () => {
    expect(sanitizeArticleHtml('<img src="/assets/logo.png" alt="标志">')).toBe('<img src="/assets/logo.png" alt="标志" />');
    for (const src of ['https://evil.example/x.png', '//evil.example/x.png', 'data:image/png;base64,AAAA', '/admin/x', '/media/../secret', 'javascript:alert(1)']) {
      expect(sanitizeArticleHtml(`<p>a<img src="${src}">b</p>`), src).toBe('<p>ab</p>');
    }
  });

  it('maps what browsers produce onto the allowed tags', () => {
    expect(sanitizeArticleHtml('<div><b>粗体</b> <i>斜体</i> <span class="x">普通</span></div><h1>大标题</h1>')).toBe(
      '<p><strong>粗体</strong> <em>斜体</em> 普通</p><h2>大标题</h2>',
    );
  });

  it('plain text for search', () => {
    expect(htmlToText('<h2>装修贷款</h2><p>先比<strong>综合年化</strong>&amp;费用</p>')).toBe('装修贷款 先比综合年化&费用');
  });
});

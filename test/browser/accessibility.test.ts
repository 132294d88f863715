import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';

/**
 * Accessibility in a real Chromium with axe-core (test/support/accessibility.ts): the check the
 * browser harness runs on every page a journey opens sees a page the journey leaves at once, and
 * every colour app.css gives to text (each status badge, alert, link and label, on each of the
 * three surfaces) reads at 4.5:1 or better, including states no journey happens to show.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CSS = readFileSync(path.join(ROOT, 'web/public/app.css'), 'utf8');

const page = (body: string, bodyClass = 'surface-web') => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>样式</title><link rel="stylesheet" href="/assets/app.css"></head>
<body class="${bodyClass}">${body}</body></html>`;

/** Every `.badge.<state>` app.css styles. */
const badgeStates = [...new Set([...CSS.matchAll(/\.badge\.([\w-]+)/g)].map((m) => m[1]!))];

const palette = (surface: string) => {
  const badges = badgeStates.map((s) => `<span class="badge ${s}">状态 ${s}</span>`).join(' ');
  return page(
    `<header class="top"><div class="wrap"><a class="logo" href="/">贷超</a><nav>
      <a href="/a" aria-current="page">首页</a><a href="/b">产品 <span class="nav-count">3</span></a>
      <details class="nav-group"><summary>更多</summary><div class="nav-menu"><a href="/c">设置</a></div></details>
      <form><button class="link" type="button">退出</button></form></nav></div></header>
    <main class="wrap">
      <h1>页面标题</h1>
      <div class="alert error">出错了，请<a href="/x">重试</a>。</div>
      <div class="alert success">已保存。<a href="/x">查看</a></div>
      <div class="alert info">提示信息</div>
      <p>正文里有一个<a href="/x">链接</a>，还有说明。</p>
      <p class="small">小字说明与<a href="/x">小字链接</a>。</p>
      <p class="muted">灰色说明里的<a href="/x">链接</a>。</p>
      <p class="small muted">小号灰色文字</p>
      <p>${badges}</p>
      <p><span class="tag">随借随还</span> <a class="chip" href="/x">筛选</a> <a class="chip" aria-current="page" href="/y">已选</a></p>
      <p><a class="btn" href="/x">申请</a> <a class="btn secondary" href="/x">返回</a> <button class="btn small" type="button">确定</button> <button class="link" type="button">文字按钮</button></p>
      <p class="field-error">请输入手机号</p>
      <p class="stars">★★★★☆</p>
      <p class="legend"><span class="key principal"></span>本金</p>
      <details><summary>展开</summary><p>内容</p></details>
      <div class="lead-filters"><details class="more-filters"><summary>更多筛选</summary></details></div>
      <div class="line-review"><details><summary>审核</summary></details></div>
      <p><span class="best-key">最优</span> <span class="diff-key">不同</span> <span class="bad">逾期</span></p>
      <dl class="kv"><dt>名称</dt><dd>内容</dd></dl>
      <div class="stats"><div class="stat"><div class="n">12</div><div class="l">说明</div><div class="sub">小注</div></div></div>
      <div class="account-tiles"><a class="card tile tile-bad" href="/x"><span class="tile-label">逾期</span><span class="tile-figure">¥1.00</span></a></div>
      <ul class="checklist"><li class="check-ok"><b>通过</b> 说明</li><li class="check-bad"><b>未通过</b></li><li class="check-manual"><b>人工</b></li></ul>
      <ul class="reasons"><li>推荐理由</li></ul>
      <ol class="complaint-timeline"><li class="vis-internal">内部备注<span class="when">今天</span></li></ol>
      <ol class="thread"><li class="msg institution">机构消息</li><li class="msg consumer">用户消息</li></ol>
      <section class="card"><h2>卡片</h2><p>${badges}</p><p>卡片里的<a href="/x">链接</a>。</p><p class="muted small">卡片灰字</p>
        <div class="product-card"><a class="name" href="/x">产品名</a><span class="inst">机构</span><span class="rate-label">综合年化</span><span class="rate-big">7.20%</span><span class="rate-upto">– 9.00%</span></div>
        <div class="facts"><span>额度 <b>20 万</b></span></div>
        <label class="check"><input type="checkbox"> 选项 <span class="count">12</span></label>
      </section>
      <div class="table-scroll" tabindex="0"><table class="data compare"><thead><tr><th>项目</th><th class="num">金额</th></tr></thead><tbody>
        <tr><td>普通</td><td class="num">¥1.00</td></tr>
        <tr class="diff"><th scope="row">不同</th><td class="best">¥2.00</td></tr>
        <tr class="stale"><td>超时</td><td><a href="/x">处理</a></td></tr>
        <tr class="overdue-row"><td>逾期</td><td class="suppressed">—</td></tr>
      </tbody></table></div>
    </main>
    <footer class="bottom">页脚说明</footer>`,
    `surface-${surface}`,
  );
};

/** A tenth of a second of silence: 8 kHz, 8-bit mono PCM in a WAV file. */
function silentWav(): Buffer {
  const samples = 800;
  const wav = Buffer.alloc(44 + samples, 0x80);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(8000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples, 40);
  return wav;
}

describe('accessibility in a browser (axe-core)', () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    const app = express();
    app.use('/assets', express.static(path.join(ROOT, 'web/public')));
    app.get('/palette/:surface', (req, res) => void res.send(palette(req.params.surface)));
    // grey 13px text in the brand red of old (4.44:1), and a link told apart by colour only; axe
    // waits for an autoplay sound's metadata before it checks, which takes 2 s here, while the journey moves on
    app.get('/assets/poor.css', (_req, res) => void res.type('css').send('body{background:#f5f6f7;color:#646a73;font-size:13px} a{color:#d4380d;text-decoration:none}'));
    app.get('/slow.wav', (_req, res) => void setTimeout(() => res.type('audio/wav').send(silentWav()), 2000));
    app.get('/poor', (_req, res) =>
      void res.send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>差</title><link rel="stylesheet" href="/assets/poor.css"></head>
        <body><main><h1>对比度不足</h1><p>请先阅读<a href="/next">下一页</a>再继续。</p><audio autoplay src="/slow.wav"></audio></main></body></html>`),
    );
    app.get('/next', (_req, res) => void res.send(page('<main class="wrap"><h1>下一页</h1></main>')));
    harness = await openBrowser(app, { purpose: 'the accessibility browser test', shotPrefix: 'a11y' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('checks a page a journey leaves at once, and reports its serious rule breaches', async () => {
    const { page: p } = await harness.newPage(PHONE_VIEWPORT, 'visitor');
    await p.goto('/poor', { waitUntil: 'commit' });
    // move on without waiting: the navigation is held until /poor has been checked
    await p.locator('a[href="/next"]').click();
    await p.waitForURL('**/next');
    const problems = (await harness.settledProblems()).filter((line) => line.startsWith('[visitor]'));
    expect(problems.map((line) => /^\[visitor\] accessibility \(serious\) ([\w-]+) on \/poor:/.exec(line)?.[1]).sort()).toEqual(['color-contrast', 'link-in-text-block']);
  });

  for (const surface of ['web', 'partner', 'admin']) {
    for (const [viewport, size] of [
      [PHONE_VIEWPORT, 'phone'],
      [DESKTOP_VIEWPORT, 'desktop'],
    ] as const) {
      it(`every text colour of app.css reads at 4.5:1 on the ${surface} surface (${size})`, async () => {
        expect(badgeStates.length).toBeGreaterThan(40);
        const { page: p } = await harness.newPage(viewport, `${surface}-${size}`);
        await p.goto(`/palette/${surface}`);
        expect(await p.locator('.badge').count()).toBe(badgeStates.length * 2);
        expect((await harness.settledProblems()).filter((line) => line.startsWith(`[${surface}-${size}]`))).toEqual([]);
      });
    }
  }
});

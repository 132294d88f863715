import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * An operator writes an article in the rich-text editor (web/public/editor.js: contenteditable
 * and a toolbar), makes a word bold, uploads an image into the text, publishes it; a consumer on a
 * phone finds it under 攻略 and sees the bold word and the image.
 */
// Each step is its own test (sharing the app and the browser), so a failure names the step it happened in.
describe('browser: writing and reading a guide', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let harness: BrowserHarness | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    harness = await openBrowser(t.app, { purpose: 'the content browser test', shotPrefix: 'content' });
  });
  afterAll(async () => {
    await harness?.close();
    await t?.close();
  });

  /** set once the operator published the article in step 1 */
  let published = false;

  it('1. an operator writes with the editor, makes a word bold, uploads an image, saves and publishes', async () => {
    const { page: op } = await harness!.newPage(DESKTOP_VIEWPORT, 'operator');
    await staffLogin(op, 'admin', t!.fixtures.operator, PASSWORD);
    await op.goto('/admin/content/articles');
    await op.getByRole('link', { name: '新建文章' }).click();
    await op.locator('input[name=title]').fill('装修贷款前必看的三件事');
    await op.locator('select[name=categoryId]').selectOption({ label: '贷款知识' });
    await op.locator('textarea[name=summary]').fill('综合年化、费用和还款方式');

    // the script replaced the textarea with the editor
    const area = op.locator('.rich-editor-area');
    await expect.poll(() => area.count()).toBe(1);
    expect(await op.locator('textarea[name=body]').isHidden()).toBe(true);
    await area.click();
    await op.keyboard.type('先比较 ');
    await op.getByRole('button', { name: '粗体' }).click();
    await op.keyboard.type('综合年化利率');
    await op.getByRole('button', { name: '粗体' }).click();
    await op.keyboard.type('，再看费用。');
    // 「图片」 uploads through /admin/content/media and inserts the image where the caret is
    const [chooser] = await Promise.all([op.waitForEvent('filechooser'), op.getByRole('button', { name: '图片', exact: true }).click()]);
    await chooser.setFiles({ name: 'chart.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => area.locator('img').count()).toBe(1);
    await harness!.shot(op, 'editor');
    await op.getByRole('button', { name: '保存草稿' }).click();
    await op.waitForURL(/\/admin\/content\/articles\/art_\w+\/edit$/);
    expect(await op.locator('.alert.success').textContent()).toContain('草稿已保存');
    // the saved body came back into the editor
    expect(await area.locator('strong, b').first().textContent()).toBe('综合年化利率');

    await op.getByRole('button', { name: '发布' }).click();
    await op.waitForURL(/\/edit$/);
    expect(await op.locator('.alert.success').textContent()).toContain('已发布');
    published = true;
  });

  it('2. a consumer on a phone finds it under 攻略 and sees the bold word and the image', async () => {
    expect(published, 'the operator published the article in step 1').toBe(true);
    const { page: consumer } = await harness!.newPage(PHONE_VIEWPORT, 'consumer');
    await consumer.goto('/');
    await consumer.locator('header nav').getByRole('link', { name: '攻略' }).click();
    await consumer.waitForURL('**/guides');
    await consumer.locator('.guide-card', { hasText: '装修贷款前必看的三件事' }).click();
    await consumer.waitForURL(/\/guides\/[\w-]+$/);
    expect(await consumer.title()).toContain('装修贷款前必看的三件事');
    const bold = consumer.locator('.article-body strong');
    expect(await bold.textContent()).toBe('综合年化利率');
    expect(await consumer.locator('.article-body').textContent()).toContain('先比较 综合年化利率，再看费用。');
    const img = consumer.locator('.article-body img');
    expect(await img.getAttribute('src')).toMatch(/^\/media\/med_\w+$/);
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    await harness!.shot(consumer, 'guide');
  });

  it('no page showed a problem', async () => {
    expect(await harness!.settledProblems()).toEqual([]);
  });
});

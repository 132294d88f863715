import { describe, expect, it } from 'vitest';
import { offSitePayloads } from '../../test/support/redirect-payloads';
import { localPath } from './local-path';

const SITE = 'https://daichao.example';

/** Where a browser on /verify goes when it follows `href`. */
const followed = (href: string) => new URL(href, `${SITE}/verify`);

describe('localPath: a next link stays on the site, exactly as a browser reads it', () => {
  it.each(offSitePayloads)('%j is refused', (payload) => {
    expect(localPath(payload)).toBeUndefined();
  });

  it.each([
    ['/applications', '/applications'],
    ['/apply/prd_1?amount=50000&termMonths=12#consent', '/apply/prd_1?amount=50000&termMonths=12#consent'],
    // percent-encoded slashes and controls stay in the path: the browser does not decode them into a host
    ['/%2f/evil.example/x', '/%2f/evil.example/x'],
    ['/%09/evil.example/x', '/%09/evil.example/x'],
    ['/%5cevil.example', '/%5cevil.example'],
    ['/a/./b/../c', '/a/c'],
    ['products', '/products'],
    ['  /products  ', '/products'],
  ])('%j stays on the site as %j', (payload, expected) => {
    expect(localPath(payload)).toBe(expected);
  });

  it('whatever it returns, a browser following it stays on the site', () => {
    const all = [...offSitePayloads, '/%2f/evil', '/%0a/evil', '/%0d%0a/evil', '/@evil.example', '/:evil.example', '/?//evil', '/#//evil', '/x\\y'];
    for (const payload of all) {
      const path = localPath(payload);
      if (path === undefined) continue;
      expect(followed(path).origin, payload).toBe(SITE);
      expect(path.startsWith('/') && !path.startsWith('//'), payload).toBe(true);
    }
  });

  it('nothing usable gives undefined', () => {
    for (const v of [undefined, null, 42, ['/a', '/b'], { href: '/a' }, '', '   ']) expect(localPath(v), JSON.stringify(v)).toBeUndefined();
  });

  it('keeps a staff surface inside its prefix', () => {
    expect(localPath('/partner/leads?status=submitted', '/partner')).toBe('/partner/leads?status=submitted');
    expect(localPath('/partner', '/partner')).toBe('/partner');
    expect(localPath('/partner?x=1', '/partner')).toBe('/partner?x=1');
    expect(localPath('/partnerevil', '/partner')).toBeUndefined();
    expect(localPath('/partner/../admin', '/partner')).toBeUndefined();
    expect(localPath('/admin', '/partner')).toBeUndefined();
    expect(localPath('/partner/\t/evil.example', '/partner')).toBe('/partner//evil.example');
    expect(followed(localPath('/partner/\t/evil.example', '/partner')!).origin).toBe(SITE);
  });
});

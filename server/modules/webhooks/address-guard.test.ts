import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { addressProblem, guardedLookup, type Resolve } from './address-guard';
import { webhookUrlProblem } from './webhooks.service';

/** A resolver with fixed answers, so the table never depends on the network. */
const records: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'metadata.google.internal': ['169.254.169.254'],
  'redis.internal.example': ['10.0.0.12'],
  'v6-internal.example': ['fd00::12'],
  'mapped-internal.example': ['::ffff:192.168.1.1'],
  // one good record and one bad one: refused, whichever the socket would pick
  'half-internal.example': ['93.184.216.34', '10.0.0.1'],
  'cgnat.example': ['100.64.0.1'],
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
};
const resolve: Resolve = async (hostname) => {
  const found = records[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};
const problem = (url: string, allowLoopback = false) => webhookUrlProblem(url, { resolve, allowLoopback });

describe('webhook URLs may only reach the public internet (SSRF)', () => {
  // the ten hosts that were accepted before, then IPv6, IPv4-in-IPv6 and other spellings of inside addresses
  const refused: [string, string][] = [
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://localhost/hook', 'loopback by name'],
    ['https://[::1]/hook', 'IPv6 loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'cloud metadata (link-local)'],
    ['https://10.0.0.1/hook', 'private 10/8'],
    ['https://192.168.1.1/hook', 'private 192.168/16'],
    ['https://0.0.0.0/hook', 'unspecified'],
    ['https://2130706433/hook', 'decimal 127.0.0.1'],
    ['https://127.1/hook', 'short 127.0.0.1'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'metadata by name'],
    ['https://0177.0.0.1/hook', 'octal 127.0.0.1'],
    ['https://0x7f.0.0.1/hook', 'hex 127.0.0.1'],
    ['https://0x7f000001/hook', 'hex 127.0.0.1 as one number'],
    ['https://017700000001/hook', 'octal 127.0.0.1 as one number'],
    ['https://10.1/hook', 'short 10.0.0.1'],
    ['https://0/hook', 'zero'],
    ['https://127.255.255.254/hook', 'the rest of 127/8'],
    ['https://172.16.0.1/hook', 'private 172.16/12'],
    ['https://172.31.255.255/hook', 'private 172.16/12, last'],
    ['https://100.64.0.1/hook', 'carrier-grade NAT 100.64/10'],
    ['https://192.0.0.8/hook', 'IETF protocol assignments'],
    ['https://192.0.2.1/hook', 'TEST-NET-1'],
    ['https://198.18.0.1/hook', 'benchmarking'],
    ['https://224.0.0.1/hook', 'multicast'],
    ['https://240.0.0.1/hook', 'reserved 240/4'],
    ['https://255.255.255.255/hook', 'broadcast'],
    ['https://[::]/hook', 'IPv6 unspecified'],
    ['https://[::ffff:127.0.0.1]/hook', 'IPv4-mapped loopback'],
    ['https://[::ffff:169.254.169.254]/hook', 'IPv4-mapped metadata'],
    ['https://[::ffff:a00:1]/hook', 'IPv4-mapped 10.0.0.1 in hex'],
    ['https://[::ffff:0:a00:1]/hook', 'IPv4-translated (RFC 6145) 10.0.0.1'],
    ['https://[::7f00:1]/hook', 'IPv4-compatible 127.0.0.1'],
    ['https://[fe80::1]/hook', 'IPv6 link-local'],
    ['https://[fc00::1]/hook', 'IPv6 unique-local fc00::/7'],
    ['https://[fd12:3456:789a::1]/hook', 'IPv6 unique-local fd00::/8'],
    ['https://[fec0::1]/hook', 'IPv6 site-local (deprecated)'],
    ['https://[ff02::1]/hook', 'IPv6 multicast'],
    ['https://[64:ff9b::a00:1]/hook', 'NAT64 of 10.0.0.1'],
    ['https://[64:ff9b::7f00:1]/hook', 'NAT64 of 127.0.0.1'],
    ['https://[64:ff9b:1::5db8:d822]/hook', 'local-use NAT64 prefix'],
    ['https://[2002:c0a8:101::1]/hook', '6to4 of 192.168.1.1'],
    ['https://[2002:7f00:1::1]/hook', '6to4 of 127.0.0.1'],
    ['https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook', 'Teredo with client 10.0.0.1'],
    ['https://[2001:db8::1]/hook', 'IPv6 documentation'],
    ['https://[100::1]/hook', 'IPv6 discard'],
    ['https://redis.internal.example/hook', 'a name for a private address'],
    ['https://v6-internal.example/hook', 'a name for a unique-local address'],
    ['https://mapped-internal.example/hook', 'a name for a mapped private address'],
    ['https://half-internal.example/hook', 'a name with one private record among public ones'],
    ['https://cgnat.example/hook', 'a name for a CGNAT address'],
  ];

  it.each(refused)('refuses %s (%s) with the reason in Chinese', async (url) => {
    expect(await problem(url)).toMatch(/^回调地址指向(本机|内网、本机或保留地址)，不允许使用$/);
  });

  it('names loopback as this machine, other inside ranges as internal or reserved', async () => {
    expect(await problem('https://127.0.0.1/')).toBe('回调地址指向本机，不允许使用');
    expect(await problem('https://localhost/')).toBe('回调地址指向本机，不允许使用');
    expect(await problem('https://[::ffff:127.0.0.1]/')).toBe('回调地址指向本机，不允许使用');
    expect(await problem('https://10.0.0.1/')).toBe('回调地址指向内网、本机或保留地址，不允许使用');
    expect(await problem('https://metadata.google.internal/')).toBe('回调地址指向内网、本机或保留地址，不允许使用');
    expect(await problem('https://nowhere.invalid/')).toBe('回调地址的域名无法解析');
  });

  it.each([
    'https://93.184.216.34/hook',
    'https://hooks.example.com/daichao/leads',
    'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
    'https://172.32.0.1/hook', // just past 172.16/12
    'https://100.128.0.1/hook', // just past 100.64/10
    'https://[2002:5db8:d822::1]/hook', // 6to4 of a public address
    'https://[64:ff9b::5db8:d822]/hook', // NAT64 of a public address
    'https://[::ffff:93.184.216.34]/hook', // mapped public address
  ])('accepts the public %s', async (url) => {
    expect(await problem(url)).toBeNull();
  });

  it('allows this machine, and plain http to it, only when loopback is allowed; the internal network never', async () => {
    expect(await problem('http://127.0.0.1:8080/hook')).toBe('须使用 https://');
    expect(await problem('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(await problem('http://localhost:8080/hook', true)).toBeNull();
    expect(await problem('http://[::1]:8080/hook', true)).toBeNull();
    expect(await problem('https://127.0.0.1/hook', true)).toBeNull();
    expect(await problem('http://hooks.example.com/hook', true)).toMatch(/^须使用 https:\/\//);
    for (const inside of ['https://10.0.0.1/', 'https://169.254.169.254/', 'https://[fd00::1]/', 'https://[::ffff:192.168.1.1]/', 'https://0.0.0.0/']) {
      expect(await problem(inside, true), inside).toBe('回调地址指向内网、本机或保留地址，不允许使用');
    }
  });

  it('judges bare addresses as the resolver returns them', () => {
    expect(addressProblem('8.8.8.8')).toBeNull();
    expect(addressProblem('2001:4860:4860::8888')).toBeNull();
    expect(addressProblem('127.0.0.1')).toBe('指向本机，不允许使用');
    expect(addressProblem('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(addressProblem('::1', { allowLoopback: true })).toBeNull();
    expect(addressProblem('fe80::1%eth0')).toBe('指向内网、本机或保留地址，不允许使用');
    expect(addressProblem('not an address')).toBe('不是有效的网络地址');
  });
});

describe('guardedLookup: the socket connects to the address that was checked', () => {
  const lookupOnce = (hostname: string, options: { all?: boolean; family?: number }, answers: string[]) => {
    const calls: string[] = [];
    const lookup = guardedLookup(async (name) => {
      calls.push(name);
      return answers;
    });
    return new Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number; calls: string[] }>((done) =>
      lookup(hostname, options, (err, address, family) => done({ err, address, family, calls })),
    );
  };

  it('hands over the checked addresses, one or all, resolving once', async () => {
    const one = await lookupOnce('hooks.example.com', {}, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
    expect(one).toMatchObject({ err: null, address: '93.184.216.34', family: 4, calls: ['hooks.example.com'] });
    const all = await lookupOnce('hooks.example.com', { all: true }, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ]);
    const v6 = await lookupOnce('hooks.example.com', { family: 6 }, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
    expect(v6).toMatchObject({ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it('fails the connection when any answer is inside', async () => {
    const mixed = await lookupOnce('rebound.example', { all: true }, ['93.184.216.34', '127.0.0.1']);
    expect(mixed.err?.name).toBe('BlockedAddressError');
    const inside = await lookupOnce('rebound.example', {}, ['169.254.169.254']);
    expect(inside.err?.name).toBe('BlockedAddressError');
  });
});

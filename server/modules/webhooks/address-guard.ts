import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound requests to addresses an institution chose (lead webhooks) may only reach the public
 * internet: never this machine, the internal network, the cloud metadata service or any other
 * special-purpose range (server-side request forgery). A URL is checked when it is saved and
 * again at every delivery, and the connection goes to the address that was checked.
 */

/** Every address a host name resolves to (A and AAAA). */
export type Resolve = (hostname: string) => Promise<string[]>;

/** The system resolver (getaddrinfo, as Node's own connections use). */
export const systemResolve: Resolve = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface AddressPolicy {
  /** loopback (127.0.0.0/8, ::1) is allowed: development only (WEBHOOK_ALLOW_LOOPBACK) */
  allowLoopback?: boolean;
}

/** Refused at connect time; the delivery log shows only that the address was not allowed. */
export class BlockedAddressError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BlockedAddressError';
  }
}

/** The host name could not be resolved. */
export class UnresolvedHostError extends Error {
  constructor() {
    super('域名无法解析');
    this.name = 'UnresolvedHostError';
  }
}

const NOT_PUBLIC = '指向内网、本机或保留地址，不允许使用';
const LOOPBACK = '指向本机，不允许使用';

const global6 = ipaddr.IPv6.parseCIDR('2000::/3');

function ipv4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo), or null when it wraps none. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = address.parts;
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return [ipv4FromParts(p[6]!, p[7]!)];
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64); the local-use 64:ff9b:1::/48 has no fixed place, and is refused
      return address.match(ipaddr.IPv6.parseCIDR('64:ff9b::/96')) ? [ipv4FromParts(p[6]!, p[7]!)] : [new ipaddr.IPv4([0, 0, 0, 0])];
    case '6to4': // 2002:AABB:CCDD::/48
      return [ipv4FromParts(p[1]!, p[2]!)];
    case 'teredo': // 2001:0:SSSS:SSSS:flags:port:~CCCC:~CCCC (server, then the client obfuscated)
      return [ipv4FromParts(p[2]!, p[3]!), ipv4FromParts(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
    default:
      return null;
  }
}

function ipv4Problem(address: ipaddr.IPv4, policy: AddressPolicy): string | null {
  const range = address.range();
  if (range === 'unicast') return null;
  if (range === 'loopback') return policy.allowLoopback ? null : LOOPBACK;
  return NOT_PUBLIC;
}

/**
 * Why this address may not be connected to, or null when it is a public unicast address.
 * Accepts IPv4 in any form `inet_aton` reads (2130706433, 127.1, 0x7f.1, 0177.0.0.1) and IPv6
 * with or without brackets; an IPv6 address wrapping an IPv4 one is judged by that address.
 */
export function addressProblem(address: string, policy: AddressPolicy = {}): string | null {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(text);
  } catch {
    return '不是有效的网络地址';
  }
  if (parsed.kind() === 'ipv4') return ipv4Problem(parsed as ipaddr.IPv4, policy);
  const v6 = parsed as ipaddr.IPv6;
  if (v6.zoneId) return NOT_PUBLIC;
  if (v6.range() === 'loopback') return policy.allowLoopback ? null : LOOPBACK;
  const wrapped = embeddedIpv4(v6);
  if (wrapped) {
    for (const v4 of wrapped) {
      const problem = ipv4Problem(v4, policy);
      if (problem) return problem;
    }
    return null;
  }
  // only global unicast (2000::/3) outside every special-purpose block is public
  return v6.range() === 'unicast' && v6.match(global6) ? null : NOT_PUBLIC;
}

/** True when the text is an IP address literal (the URL parser has already normalised IPv4 forms). */
export function isIpLiteral(hostname: string): boolean {
  const text = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(text);
}

/**
 * The addresses `hostname` may be reached at: every one it resolves to must be public (one bad
 * record refuses the name, so no record can be picked to slip past). Throws
 * BlockedAddressError or UnresolvedHostError.
 */
export async function publicAddresses(hostname: string, resolve: Resolve, policy: AddressPolicy = {}): Promise<string[]> {
  const text = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  let addresses: string[];
  if (ipaddr.isValid(text)) {
    addresses = [text];
  } else {
    try {
      addresses = await resolve(text);
    } catch {
      throw new UnresolvedHostError();
    }
    if (addresses.length === 0) throw new UnresolvedHostError();
  }
  for (const address of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) throw new BlockedAddressError(problem);
  }
  return addresses;
}

/**
 * A `lookup` for http(s).request: resolves once, checks every address, and hands the checked
 * addresses to the socket, so a DNS answer that changes between check and connect cannot win.
 */
export function guardedLookup(resolve: Resolve, policy: AddressPolicy = {}): LookupFunction {
  return (hostname, options, callback) => {
    publicAddresses(hostname, resolve, policy).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const entries = addresses
          .map((address) => ({ address, family: ipaddr.parse(address).kind() === 'ipv4' ? 4 : 6 }))
          .filter((a) => wanted === 0 || a.family === wanted);
        if (entries.length === 0) return callback(new UnresolvedHostError(), []);
        if (options.all) return callback(null, entries);
        callback(null, entries[0]!.address, entries[0]!.family);
      },
      (err: Error) => callback(err, []),
    );
  };
}

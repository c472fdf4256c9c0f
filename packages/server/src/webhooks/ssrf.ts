import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { HumanOSError } from '@humanos/core';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (A and AAAA). Injectable for tests. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Address ranges no webhook may reach: loopback, private, link-local, unspecified, and the rest that is not the internet. */
const V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

function blockList(ranges: [string, number, string][], type: 'ipv4' | 'ipv6'): [BlockList, string][] {
  return ranges.map(([net, prefix, why]) => {
    const b = new BlockList();
    b.addSubnet(net, prefix, type);
    return [b, why];
  });
}
const BLOCK_V4 = blockList(V4, 'ipv4');
const BLOCK_V6 = blockList(V6, 'ipv6');

/** An IPv4 address an IPv6 address carries, and the form that carries it. */
export interface EmbeddedIPv4 {
  ipv4: string;
  form: string;
}

/** The IPv4 address in 16-bit groups `i` and `i + 1`, optionally XORed with 0xffffffff (Teredo's client). */
function v4At(parts: readonly number[], i: number, invert = false): string {
  const mask = invert ? 0xffff : 0;
  const hi = ((parts[i] as number) ^ mask) & 0xffff;
  const lo = ((parts[i + 1] as number) ^ mask) & 0xffff;
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * The 16-bit groups of an IPv6 address. The WHATWG URL parser first writes it in canonical hex form
 * (ipaddr.js alone reads the deprecated `::a.b.c.d` as `::ffff:a.b.c.d`); ipaddr.js then splits it.
 */
function ipv6Parts(address: string): number[] {
  const canonical = new URL(`http://[${address.split('%')[0]}]/`).hostname.slice(1, -1);
  return ipaddr.IPv6.parse(canonical).parts;
}

/**
 * Every IPv4 address an IPv6 address carries, by each form that embeds one: IPv4-mapped
 * `::ffff:0:0/96`, IPv4-translated (SIIT) `::ffff:0:0:0/96`, IPv4-compatible `::/96`, NAT64
 * `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (bits 16–47) and Teredo `2001::/32` (the server in
 * bits 32–63 and the client in the last 32 bits XOR 0xffffffff — both, since a packet may go to
 * either). Traffic to such an address reaches the IPv4 host, so the guard judges each of them.
 *
 * @example
 * embeddedIPv4('2002:7f00:1::1');         // [{ ipv4: '127.0.0.1', form: '6to4' }]
 * embeddedIPv4('::ffff:0:7f00:1');        // [{ ipv4: '127.0.0.1', form: 'IPv4-translated (SIIT)' }]
 * embeddedIPv4('2606:4700:4700::1111');   // []
 */
export function embeddedIPv4(address: string): EmbeddedIPv4[] {
  const p = ipv6Parts(address);
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const found: EmbeddedIPv4[] = [];
  if (zero(0, 5) && p[5] === 0xffff) found.push({ ipv4: v4At(p, 6), form: 'IPv4-mapped' });
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) found.push({ ipv4: v4At(p, 6), form: 'IPv4-translated (SIIT)' });
  if (zero(0, 6)) found.push({ ipv4: v4At(p, 6), form: 'IPv4-compatible' });
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) found.push({ ipv4: v4At(p, 6), form: 'NAT64' });
  if (p[0] === 0x2002) found.push({ ipv4: v4At(p, 1), form: '6to4' });
  if (p[0] === 0x2001 && p[1] === 0) {
    found.push({ ipv4: v4At(p, 2), form: 'Teredo server' }, { ipv4: v4At(p, 6, true), form: 'Teredo client' });
  }
  return found;
}

/**
 * IPv6 ranges refused whole because the IPv4 address they lead to cannot be read from the address:
 * the rest of NAT64's `64:ff9b::/32` (RFC 8215's local-use `64:ff9b:1::/48` lets each network choose
 * where in the address the IPv4 sits — /48, /56, /64 or /96 — and is meant for translators inside one
 * network, never a public destination; the remainder is unassigned). Read any way, the guard would
 * have to guess, so it fails closed.
 */
function opaqueNat64(p: readonly number[]): string | undefined {
  if (p[0] !== 0x64 || p[1] !== 0xff9b) return undefined;
  if (p.slice(2, 6).every((x) => x === 0)) return undefined;
  return p[2] === 1 ? 'local-use NAT64 (RFC 8215)' : 'reserved NAT64';
}

/**
 * Why an IP address may not be the target of a webhook, or undefined when it may (a public
 * unicast address). An IPv6 address that embeds IPv4 addresses ({@link embeddedIPv4}) is refused
 * when any of them is; local-use NAT64 is refused whole.
 *
 * @example
 * blockedReason('169.254.169.254'); // 'link-local'
 * blockedReason('::ffff:7f00:1');   // 'loopback (127.0.0.1 as IPv4-mapped)'
 * blockedReason('2002:a00:1::1');   // 'private (10.0.0.1 as 6to4)'
 */
export function blockedReason(address: string): string | undefined {
  const kind = isIP(address);
  if (kind === 4) return BLOCK_V4.find(([b]) => b.check(address, 'ipv4'))?.[1];
  if (kind !== 6) return 'not an IP address';
  const own = BLOCK_V6.find(([b]) => b.check(address, 'ipv6'))?.[1];
  if (own) return own;
  const opaque = opaqueNat64(ipv6Parts(address));
  if (opaque) return opaque;
  for (const { ipv4, form } of embeddedIPv4(address)) {
    const why = blockedReason(ipv4);
    if (why) return `${why} (${ipv4} as ${form})`;
  }
  return undefined;
}

/**
 * The operator's allow-list (`HUMANOS_WEBHOOK_ALLOW_HOSTS`): host names, IP addresses and CIDR
 * ranges that webhooks may reach even though they are not public (local development, tests, an
 * internal relay).
 */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly nets = new BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1');
      if (!e) continue;
      const [net, prefix] = e.split('/');
      const kind = isIP(net as string);
      if (kind === 0) this.hosts.add(e);
      else if (prefix === undefined) this.nets.addAddress(net as string, kind === 4 ? 'ipv4' : 'ipv6');
      else this.nets.addSubnet(net as string, Number(prefix), kind === 4 ? 'ipv4' : 'ipv6');
    }
  }

  host(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase());
  }

  address(address: string): boolean {
    const kind = isIP(address);
    return kind !== 0 && this.nets.check(address, kind === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The host of a URL as a resolver or an IP check wants it (IPv6 without brackets). */
export function urlHost(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** `localhost` and its subdomains are loopback whatever a resolver says (RFC 6761). */
const LOCALHOST = /(^|\.)localhost$/;

/**
 * The SSRF guard: a webhook URL's host must resolve only to public addresses, unless the operator
 * allowed it. Checked when subscribing and again on every send (DNS answers change), where the
 * connection is then made to the very addresses that were checked.
 */
export class EgressGuard {
  constructor(
    private readonly allow: AllowList,
    private readonly resolve: Resolver,
  ) {}

  /**
   * The addresses to connect to for `url`, all checked; `forbidden_destination`-style refusals are
   * `validation_failed` errors naming the address and why.
   */
  async addresses(url: URL): Promise<string[]> {
    const host = urlHost(url);
    if (this.allow.host(host)) return isIP(host) ? [host] : this.resolveOrFail(host);
    if (LOCALHOST.test(host)) {
      throw new HumanOSError(
        'validation_failed',
        `${url.host} is a loopback name; webhooks only reach public addresses (an operator can allow a host with HUMANOS_WEBHOOK_ALLOW_HOSTS)`,
      );
    }
    const addrs = isIP(host) ? [host] : await this.resolveOrFail(host);
    for (const a of addrs) {
      if (this.allow.address(a)) continue;
      const why = blockedReason(a);
      if (why) {
        throw new HumanOSError(
          'validation_failed',
          `${url.host} ${isIP(host) ? 'is' : `resolves to ${a}, which is`} a ${why} address; webhooks only reach public addresses (an operator can allow a host with HUMANOS_WEBHOOK_ALLOW_HOSTS)`,
          { address: a },
        );
      }
    }
    return addrs;
  }

  private async resolveOrFail(host: string): Promise<string[]> {
    try {
      const addrs = await this.resolve(host);
      if (addrs.length === 0) throw new Error('no addresses');
      return addrs;
    } catch (e) {
      throw new HumanOSError('validation_failed', `cannot resolve ${host}: ${(e as Error).message}`);
    }
  }
}

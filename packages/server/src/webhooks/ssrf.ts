import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { HumanOSError } from '@humanos/core';

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

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted IPv4 tail). */
function ipv6Groups(addr: string): number[] {
  let a = addr.toLowerCase().split('%')[0] as string;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (tail) {
    const o = (tail[1] as string).split('.').map(Number);
    a = `${a.slice(0, -(tail[1] as string).length)}${(((o[0] as number) << 8) | (o[1] as number)).toString(16)}:${(((o[2] as number) << 8) | (o[3] as number)).toString(16)}`;
  }
  const [head, rest] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const fill = rest === undefined ? [] : Array(8 - h.length - r.length).fill('0');
  return [...h, ...fill, ...r].map((g) => Number.parseInt(g, 16));
}

/** An IPv4 address carried inside an IPv6 one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`). */
function embeddedV4(addr: string): string | undefined {
  const g = ipv6Groups(addr);
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const mapped = zero(0, 5) && g[5] === 0xffff;
  const compatible = zero(0, 6) && ((g[6] as number) !== 0 || (g[7] as number) > 1);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6);
  if (!(mapped || compatible || nat64)) return undefined;
  return [(g[6] as number) >> 8, (g[6] as number) & 255, (g[7] as number) >> 8, (g[7] as number) & 255].join('.');
}

/**
 * Why an IP address may not be the target of a webhook, or undefined when it may (a public
 * unicast address). IPv4 inside IPv6 (mapped, compatible, NAT64) is judged as the IPv4 it carries.
 *
 * @example
 * blockedReason('169.254.169.254'); // 'link-local'
 * blockedReason('::ffff:7f00:1');   // 'loopback'
 */
export function blockedReason(address: string): string | undefined {
  const kind = isIP(address);
  if (kind === 4) return BLOCK_V4.find(([b]) => b.check(address, 'ipv4'))?.[1];
  if (kind !== 6) return 'not an IP address';
  const v4 = embeddedV4(address);
  if (v4 !== undefined) return blockedReason(v4);
  return BLOCK_V6.find(([b]) => b.check(address, 'ipv6'))?.[1];
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

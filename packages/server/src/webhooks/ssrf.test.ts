import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllowList, blockedReason, EgressGuard, embeddedIPv4 } from './ssrf.js';

/** IPv4 ranges no webhook may reach, as [first octets, prefix length]. */
const PRIVATE_V4: [number[], number][] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16],
  [[172, 16, 0, 0], 12],
  [[192, 168, 0, 0], 16],
];

/** Any address in one of those ranges, as its 32 bits. */
const privateV4 = fc
  .tuple(fc.constantFrom(...PRIVATE_V4), fc.integer({ min: 0, max: 0xffffffff }))
  .map(([[o, len], r]) => {
    const base = (((o[0] as number) << 24) | ((o[1] as number) << 16) | ((o[2] as number) << 8)) >>> 0;
    const host = len === 32 ? 0 : r & (0xffffffff >>> len);
    return (base | host) >>> 0;
  });

const hex = (n: number) => n.toString(16);
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const groups = (n: number) => [hex(n >>> 16), hex(n & 0xffff)];

/** Every way this IPv4 address can be spelled inside an IPv6 one. */
function embeddings(n: number, anyGroup: number): string[] {
  const [hi, lo] = groups(n) as [string, string];
  const [ihi, ilo] = groups(~n >>> 0) as [string, string];
  const g = hex(anyGroup);
  return [
    `::ffff:${dotted(n)}`,
    `::ffff:${hi}:${lo}`,
    `0:0:0:0:0:FFFF:${hi.toUpperCase()}:${lo.toUpperCase()}`,
    `0000:0000:0000:0000:0000:ffff:${hi.padStart(4, '0')}:${lo.padStart(4, '0')}`,
    `::ffff:0:${dotted(n)}`,
    `::ffff:0:${hi}:${lo}`,
    `::${dotted(n)}`,
    `::${hi}:${lo}`,
    `64:ff9b::${hi}:${lo}`,
    `64:ff9b::${dotted(n)}`,
    `64:ff9b:1::${hi}:${lo}`,
    `64:ff9b:1:${hi}:${lo}::`,
    `2002:${hi}:${lo}::`,
    `2002:${hi}:${lo}:${g}::1`,
    `2002:${hi}:${lo}:${g}:${g}:${g}:${g}:${g}`,
    `2001:0:${hi}:${lo}::`,
    `2001:0:${hi}:${lo}:${g}:${g}:${g}:${g}`,
    // Teredo client behind a public server (93.184.216.34)
    `2001:0:5db8:d822:8000:${g}:${ihi}:${ilo}`,
    `2001::5db8:d822:0:0:${ihi}:${ilo}`,
  ];
}

describe('the SSRF guard', () => {
  it('judges every address by its range, IPv4 inside IPv6 as the IPv4 it carries', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'shared (CGNAT)'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'link-local'],
      ['fd12:3456::1', 'unique local (private)'],
      ['::ffff:127.0.0.1', 'loopback (127.0.0.1 as IPv4-mapped)'],
      ['::ffff:7f00:1', 'loopback (127.0.0.1 as IPv4-mapped)'],
      ['::ffff:a9fe:a9fe', 'link-local (169.254.169.254 as IPv4-mapped)'],
      ['::127.0.0.1', 'loopback (127.0.0.1 as IPv4-compatible)'],
      ['64:ff9b::a00:1', 'private (10.0.0.1 as NAT64)'],
      // The three the guard once let through, and the other forms that carry an IPv4 address.
      ['::ffff:0:7f00:1', 'loopback (127.0.0.1 as IPv4-translated (SIIT))'],
      ['64:ff9b:1::7f00:1', 'local-use NAT64 (RFC 8215)'],
      ['64:ff9b:1:7f00:1::', 'local-use NAT64 (RFC 8215)'],
      ['64:ff9b:1:5db8:d8:2200::', 'local-use NAT64 (RFC 8215)'],
      ['64:ff9b:2::1', 'reserved NAT64'],
      ['2002:7f00:1::1', 'loopback (127.0.0.1 as 6to4)'],
      ['2002:a9fe:a9fe:1::', 'link-local (169.254.169.254 as 6to4)'],
      // Teredo: the server (bits 32–63), or the client (last 32 bits, inverted).
      ['2001:0:7f00:1::', 'loopback (127.0.0.1 as Teredo server)'],
      ['2001:0:5db8:d822:0:0:80ff:fffe', 'loopback (127.0.0.1 as Teredo client)'],
      ['2001:0:5db8:d822:8000:f227:f5ff:fffe', 'private (10.0.0.1 as Teredo client)'],
      ['2001:0:5db8:d822::a247:27dd', undefined],
      ['2002:5db8:d822::1', undefined],
      ['64:ff9b::5db8:d822', undefined],
      ['::ffff:0:5db8:d822', undefined],
      ['93.184.216.34', undefined],
      ['2606:4700:4700::1111', undefined],
      ['::ffff:5db8:d822', undefined],
      ['172.32.0.1', undefined],
    ];
    for (const [addr, why] of cases) expect(blockedReason(addr), addr).toBe(why);
  });

  it('decodes every form that embeds IPv4 (mapped, SIIT, compatible, NAT64, 6to4, Teredo server and client)', () => {
    expect(embeddedIPv4('::ffff:0:7f00:1')).toEqual([{ ipv4: '127.0.0.1', form: 'IPv4-translated (SIIT)' }]);
    expect(embeddedIPv4('2002:7f00:1::1')).toEqual([{ ipv4: '127.0.0.1', form: '6to4' }]);
    expect(embeddedIPv4('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toEqual([
      { ipv4: '65.54.227.120', form: 'Teredo server' },
      { ipv4: '192.0.2.45', form: 'Teredo client' },
    ]);
    expect(embeddedIPv4('2606:4700:4700::1111')).toEqual([]);
  });

  it('property: every IPv6 spelling of a private, loopback, link-local, shared or unspecified IPv4 is refused', async () => {
    const guard = new EgressGuard(new AllowList([]), async () => []);
    await fc.assert(
      fc.asyncProperty(privateV4, fc.integer({ min: 0, max: 0xffff }), async (n, g) => {
        expect(blockedReason(dotted(n)), dotted(n)).toBeDefined();
        for (const spelling of embeddings(n, g)) {
          expect(blockedReason(spelling), spelling).toBeDefined();
          // The same through a URL, as a subscription or a send sees it.
          const url = new URL(`https://[${spelling}]:8443/hook`);
          await expect(guard.addresses(url), spelling).rejects.toThrow(/address; webhooks only reach public/);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('property: a public IPv4 embedded by the same forms stays reachable (no blanket refusal)', () => {
    const publicV4 = fc
      .integer({ min: 0x01000000, max: 0xdfffffff })
      .filter((n) => blockedReason(dotted(n)) === undefined);
    fc.assert(
      fc.property(publicV4, (n) => {
        const [hi, lo] = groups(n) as [string, string];
        const [ihi, ilo] = groups(~n >>> 0) as [string, string];
        for (const spelling of [
          `::ffff:${hi}:${lo}`,
          `::ffff:0:${hi}:${lo}`,
          `64:ff9b::${hi}:${lo}`,
          `2002:${hi}:${lo}::1`,
          `2001:0:${hi}:${lo}::${ihi}:${ilo}`,
        ]) {
          expect(blockedReason(spelling), spelling).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses hosts that resolve to any blocked address, unless the operator allowed them', async () => {
    const dns: Record<string, string[]> = {
      'public.test': ['93.184.216.34'],
      'mixed.test': ['93.184.216.34', '10.0.0.7'],
      'inside.test': ['192.168.7.7'],
    };
    const resolve = async (h: string) => dns[h] ?? [];
    const guard = new EgressGuard(new AllowList([]), resolve);
    expect(await guard.addresses(new URL('https://public.test/x'))).toEqual(['93.184.216.34']);
    await expect(guard.addresses(new URL('https://mixed.test/x'))).rejects.toThrow(/10\.0\.0\.7.*private/);
    await expect(guard.addresses(new URL('https://inside.test/x'))).rejects.toThrow(/private/);
    await expect(guard.addresses(new URL('https://nowhere.test/x'))).rejects.toThrow(/cannot resolve/);
    // Every spelling of loopback that the URL parser normalises still lands on 127.0.0.1.
    for (const u of ['http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://127.1/']) {
      await expect(guard.addresses(new URL(u)), u).rejects.toThrow(/loopback/);
    }
    const allowed = new EgressGuard(new AllowList(['inside.test', '10.0.0.0/8', '[::1]']), resolve);
    expect(await allowed.addresses(new URL('https://inside.test/x'))).toEqual(['192.168.7.7']);
    expect(await allowed.addresses(new URL('https://mixed.test/x'))).toEqual(['93.184.216.34', '10.0.0.7']);
    expect(await allowed.addresses(new URL('http://[::1]:8080/x'))).toEqual(['::1']);
    await expect(allowed.addresses(new URL('http://127.0.0.1/'))).rejects.toThrow(/loopback/);
  });
});

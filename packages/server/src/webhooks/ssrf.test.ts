import { describe, expect, it } from 'vitest';
import { AllowList, blockedReason, EgressGuard } from './ssrf.js';

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
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'link-local'],
      ['::127.0.0.1', 'loopback'],
      ['64:ff9b::a00:1', 'private'],
      ['93.184.216.34', undefined],
      ['2606:4700:4700::1111', undefined],
      ['::ffff:5db8:d822', undefined],
      ['172.32.0.1', undefined],
    ];
    for (const [addr, why] of cases) expect(blockedReason(addr), addr).toBe(why);
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

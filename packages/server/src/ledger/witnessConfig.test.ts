import { formatVerifierKey, generateSigningKey } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

/** HUMANOS_WITNESSES and HUMANOS_WITNESS_QUORUM are validated once, at start-up. */
describe('HUMANOS_WITNESSES and HUMANOS_WITNESS_QUORUM', () => {
  const v1 = formatVerifierKey('w1.example/w', generateSigningKey().publicKeyRaw);
  const v2 = formatVerifierKey('w2.example/w', generateSigningKey().publicKeyRaw);
  /** A ConfigError whose message names the setting first (as `main` prints it). */
  const refused = (env: Record<string, string>, setting: string, message: RegExp) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${setting}: .*${message.source}`));
  };

  it('parses <vkey>=<url> pairs; the quorum defaults to all of them', () => {
    expect(loadConfig({}).witnesses).toEqual({ list: [], quorum: 0 });
    const env = { HUMANOS_WITNESSES: ` ${v1}=http://127.0.0.1:8788/ , ${v2}=https://w2.example.org/prefix?x=1` };
    expect(loadConfig(env).witnesses).toEqual({
      list: [
        { vkey: v1, url: 'http://127.0.0.1:8788' },
        { vkey: v2, url: 'https://w2.example.org/prefix?x=1' },
      ],
      quorum: 2,
    });
    expect(loadConfig({ ...env, HUMANOS_WITNESS_QUORUM: '1' }).witnesses.quorum).toBe(1);
  });

  it('refuses what it cannot use, naming the setting', () => {
    refused({ HUMANOS_WITNESSES: 'http://w1:8788' }, 'HUMANOS_WITNESSES', /<witness vkey>=/);
    refused(
      { HUMANOS_WITNESSES: 'nokey=http://w1:8788' },
      'HUMANOS_WITNESSES',
      /<witness vkey>=<url>: a verifier key is/,
    );
    refused({ HUMANOS_WITNESSES: `${v1}=ftp://w1` }, 'HUMANOS_WITNESSES', /http\(s\) url/);
    refused({ HUMANOS_WITNESSES: `${v1}` }, 'HUMANOS_WITNESSES', /<witness vkey>=<http\(s\) url>/);
    // A log's note key (type 0x01) is not a witness key.
    const noteKey = formatVerifierKey('w1.example/w', generateSigningKey().publicKeyRaw, 1);
    refused({ HUMANOS_WITNESSES: `${noteKey}=http://w1` }, 'HUMANOS_WITNESSES', /0x04/);
    refused({ HUMANOS_WITNESSES: `${v1}=http://a,${v1}=http://b` }, 'HUMANOS_WITNESSES', /twice/);
    refused(
      { HUMANOS_WITNESSES: `${v1}=http://a`, HUMANOS_WITNESS_QUORUM: '2' },
      'HUMANOS_WITNESS_QUORUM',
      /between 1 and/,
    );
    refused({ HUMANOS_WITNESS_QUORUM: '1' }, 'HUMANOS_WITNESS_QUORUM', /between 1 and/);
    refused(
      { HUMANOS_WITNESSES: `${v1}=http://a`, HUMANOS_WITNESS_QUORUM: 'all' },
      'HUMANOS_WITNESS_QUORUM',
      /between/,
    );
  });
});

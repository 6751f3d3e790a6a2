// Configuration values from flags and SHOAL_* environment variables. The CLI declares each option
// once with `option(...)` (cli/options.ts) which wires the flag, its SHOAL_* variable and one of
// the parsers below; a parser either returns a typed value or throws a ShoalError whose message
// names the flag and says what was wrong, so the user gets one clear line.

import { isIP } from 'node:net';
import { invalidArgument } from './errors.js';

/** The environment variable that backs a flag: `--data-dir` → `SHOAL_DATA_DIR`. */
export function envNameForFlag(flag: string): string {
  return `SHOAL_${flag.replace(/^-+/, '').replace(/-/g, '_').toUpperCase()}`;
}

export type Parser<T> = (raw: string, what: string) => T;

function bad(what: string, raw: string, expected: string): never {
  throw invalidArgument('config.invalid', `${what}: ${JSON.stringify(raw)} is not ${expected}`, {
    fields: { option: what, value: raw },
  });
}

/** An integer within [min, max]. */
export function intInRange(min: number, max: number): Parser<number> {
  return (raw, what) => {
    if (!/^-?\d+$/.test(raw.trim())) bad(what, raw, `an integer from ${min} to ${max}`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) bad(what, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

const durationUnitsMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `10s`, `2m`, `1h`; a bare number is milliseconds. Returns ms. */
export const durationMs: Parser<number> = (raw, what) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (m === null) bad(what, raw, 'a duration like 500ms, 10s or 2m');
  const value = Number(m[1]) * (durationUnitsMs[m[2] ?? 'ms'] ?? 1);
  if (!Number.isFinite(value) || value > 2 ** 31) bad(what, raw, 'a duration under 24 days');
  return Math.round(value);
};

const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A size such as `64m`, `1g`, `512k` or `1048576` (Docker's units, powers of 1024). Returns bytes. */
export const byteSize: Parser<number> = (raw, what) => {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(raw.trim());
  if (m === null) bad(what, raw, 'a size like 64m, 1g or 512k');
  const bytes = Math.floor(Number(m[1]) * (byteUnits[(m[2] ?? '').toLowerCase()] ?? 1));
  if (!Number.isSafeInteger(bytes)) bad(what, raw, 'a size that fits in 53 bits');
  return bytes;
};

/** An IPv4 address. */
export const ipv4: Parser<string> = (raw, what) => {
  const v = raw.trim();
  if (isIP(v) !== 4) bad(what, raw, 'an IPv4 address');
  return v;
};

export interface Cidr {
  /** The network address, host bits cleared. */
  readonly network: string;
  readonly prefixLength: number;
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** An IPv4 CIDR such as 10.20.0.0/24; host bits must be zero. */
export const ipv4Cidr: Parser<Cidr> = (raw, what) => {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(raw.trim());
  if (m === null || isIP(m[1] ?? '') !== 4) bad(what, raw, 'an IPv4 CIDR like 10.20.0.0/24');
  const prefixLength = Number(m[2]);
  if (prefixLength > 32) bad(what, raw, 'an IPv4 CIDR with a prefix length of at most 32');
  const addr = ipv4ToInt(m[1] as string);
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  if ((addr & ~mask) >>> 0 !== 0) bad(what, raw, `a network address (did you mean ${intToIpv4((addr & mask) >>> 0)}/${prefixLength}?)`);
  return { network: m[1] as string, prefixLength };
};

/** One of a fixed set of words. */
export function oneOf<const T extends string>(choices: readonly T[]): Parser<T> {
  return (raw, what) => {
    if (!(choices as readonly string[]).includes(raw)) bad(what, raw, `one of ${choices.join(', ')}`);
    return raw as T;
  };
}

/** A name made of lowercase letters, digits and dashes, starting with a letter, of bounded length. */
export function dnsLabel(maxLength: number): Parser<string> {
  return (raw, what) => {
    if (!/^[a-z][a-z0-9-]*$/.test(raw) || raw.length > maxLength || raw.endsWith('-')) {
      bad(what, raw, `a name of 1 to ${maxLength} lowercase letters, digits and dashes, starting with a letter`);
    }
    return raw;
  };
}

import { describe, expect, it } from 'vitest';
import { byteSize, durationMs, envNameForFlag, intInRange, intToIpv4, ipv4, ipv4Cidr, ipv4ToInt, oneOf } from './config.js';
import { ShoalError } from './errors.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return (err as ShoalError).message;
  }
  throw new Error('expected a ShoalError');
}

describe('config parsers', () => {
  it('names the SHOAL_* variable after the flag', () => {
    expect(envNameForFlag('--data-dir')).toBe('SHOAL_DATA_DIR');
    expect(envNameForFlag('--hosts')).toBe('SHOAL_HOSTS');
  });

  it('parses integers within bounds and names the flag when they are not', () => {
    expect(intInRange(1, 64)('3', '--hosts')).toBe(3);
    expect(message(() => intInRange(1, 64)('0', '--hosts'))).toBe('--hosts: "0" is not an integer from 1 to 64');
    expect(message(() => intInRange(1, 64)('3.5', '--hosts'))).toMatch(/^--hosts: /);
    expect(message(() => intInRange(1, 64)('', '--hosts'))).toMatch(/^--hosts: /);
  });

  it('parses durations to milliseconds', () => {
    expect(durationMs('1500', '--t')).toBe(1500);
    expect(durationMs('10s', '--t')).toBe(10_000);
    expect(durationMs('2m', '--t')).toBe(120_000);
    expect(durationMs('0.5s', '--t')).toBe(500);
    expect(message(() => durationMs('10 parsecs', '--stop-timeout'))).toMatch(/^--stop-timeout: "10 parsecs" is not a duration/);
  });

  it('parses sizes in Docker units (powers of 1024)', () => {
    expect(byteSize('64m', '--memory')).toBe(64 * 1024 * 1024);
    expect(byteSize('1g', '--memory')).toBe(1024 ** 3);
    expect(byteSize('512k', '--memory')).toBe(512 * 1024);
    expect(byteSize('100', '--memory')).toBe(100);
    expect(byteSize('2MiB', '--memory')).toBe(2 * 1024 * 1024);
    expect(message(() => byteSize('lots', '--memory'))).toMatch(/^--memory: "lots" is not a size/);
  });

  it('parses IPv4 addresses and CIDRs, refusing host bits with a hint', () => {
    expect(ipv4('10.0.0.1', '--advertise')).toBe('10.0.0.1');
    expect(message(() => ipv4('10.0.0.256', '--advertise'))).toMatch(/not an IPv4 address/);
    expect(ipv4Cidr('198.18.3.0/24', '--subnet')).toEqual({ network: '198.18.3.0', prefixLength: 24 });
    expect(message(() => ipv4Cidr('198.18.3.7/24', '--subnet'))).toContain('did you mean 198.18.3.0/24?');
    expect(message(() => ipv4Cidr('198.18.3.0/33', '--subnet'))).toMatch(/prefix length/);
    expect(intToIpv4(ipv4ToInt('255.1.2.254'))).toBe('255.1.2.254');
  });

  it('accepts one of a fixed set of words', () => {
    expect(oneOf(['table', 'json'])('json', '--format')).toBe('json');
    expect(message(() => oneOf(['table', 'json'])('yaml', '--format'))).toBe('--format: "yaml" is not one of table, json');
  });
});

import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { intInRange } from '../shared/config.js';
import { flag, option } from './cli-option.js';

function parse(argv: string[]): { hosts: number } {
  const cmd = new Command('t').exitOverride().addOption(option('--hosts <n>', 'hosts', intInRange(1, 64)).default(3));
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<{ hosts: number }>();
}

describe('options', () => {
  afterEach(() => {
    delete process.env['SHOAL_HOSTS'];
  });

  it('takes a flag, else its SHOAL_* variable, else the default', () => {
    expect(parse([]).hosts).toBe(3);
    process.env['SHOAL_HOSTS'] = '5';
    expect(parse([]).hosts).toBe(5);
    expect(parse(['--hosts', '7']).hosts).toBe(7);
  });

  it('refuses a bad value from either source with the flag named', () => {
    expect(() => parse(['--hosts', 'many'])).toThrow('--hosts: "many" is not an integer from 1 to 64');
    process.env['SHOAL_HOSTS'] = '0';
    expect(() => parse([])).toThrow('--hosts: "0" is not an integer from 1 to 64');
  });
});

describe('flags', () => {
  afterEach(() => {
    delete process.env['SHOAL_STANDALONE'];
  });
  const standalone = (argv: string[]): boolean | undefined =>
    new Command('t').exitOverride().addOption(flag('--standalone', 'alone')).parse(argv, { from: 'user' }).opts<{ standalone?: boolean }>().standalone;

  it('is on with the flag, or with SHOAL_STANDALONE set to a true word, and off with a false word', () => {
    expect(standalone([])).toBeUndefined();
    expect(standalone(['--standalone'])).toBe(true);
    expect(standalone(['--standalone', 'false'])).toBe(false);
    for (const word of ['1', 'true', 'YES', 'on']) {
      process.env['SHOAL_STANDALONE'] = word;
      expect(standalone([])).toBe(true);
    }
    for (const word of ['0', 'false', 'no', 'off', '']) {
      process.env['SHOAL_STANDALONE'] = word;
      expect(standalone([])).toBe(false);
      expect(standalone(['--standalone'])).toBe(true);
    }
  });

  it('refuses any other value when parsed, with the flag named, and a declaration never throws', () => {
    process.env['SHOAL_STANDALONE'] = 'maybe';
    expect(() => flag('--standalone', 'alone')).not.toThrow();
    expect(() => standalone([])).toThrow('--standalone: "maybe" is not true or false');
    delete process.env['SHOAL_STANDALONE'];
    expect(() => standalone(['--standalone', 'perhaps'])).toThrow('--standalone: "perhaps" is not true or false');
  });
});

import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { intInRange } from '../shared/config.js';
import { option } from './cli-option.js';

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

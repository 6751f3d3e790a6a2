// Options are declared once: the flag, its SHOAL_* environment variable and a parser from
// shared/config that names the flag in its error.

import { Option } from 'commander';
import { envNameForFlag, type Parser } from './config.js';
import { invalidArgument } from './errors.js';

/**
 * `--hosts <n>` backed by SHOAL_HOSTS (or the `env` given) and parsed by `parse`. A parser's
 * ShoalError (`--hosts: "0" is not an integer from 1 to 64`) propagates out of parsing as it is,
 * and main() prints it as the one error line.
 */
export function option<T>(flags: string, description: string, parse?: Parser<T>, env?: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  const opt = new Option(flags, description);
  if (long !== undefined) opt.env(env ?? envNameForFlag(long));
  if (parse !== undefined) {
    opt.argParser((raw: string) => parse(raw, long ?? flags));
  }
  return opt;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'off']);

/**
 * A boolean `--standalone`, also set by SHOAL_STANDALONE=true (1, yes, on) or false (0, no, off,
 * empty), so that a settings file such as /etc/default/shoal-agent can say either; `--standalone
 * false` works too. Commander's env() would turn a plain flag on whenever the variable exists,
 * whatever its value, so the flag takes an optional value that is parsed, and refused with the
 * flag named, when its command runs — a bad value breaks that command alone.
 */
export function flag(flags: string, description: string, env?: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  if (long === undefined) throw new Error(`flag ${flags}: needs a --long name`);
  return new Option(`${flags} [true|false]`, description)
    .preset('true')
    .env(env ?? envNameForFlag(long))
    .argParser((raw: string) => {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw invalidArgument('config.invalid', `${long}: ${JSON.stringify(raw)} is not true or false`, { fields: { option: long, value: raw } });
    });
}

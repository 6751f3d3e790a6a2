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
 * A boolean `--standalone`, also turned on by SHOAL_STANDALONE=true (1, yes, on) and left off by
 * false (0, no, off, empty), so that a settings file such as /etc/default/shoal-agent can say
 * either. Commander's own env() turns a flag on whenever the variable exists, whatever its value,
 * so the variable is read here, once, when the option is declared; any other value is an error
 * naming the variable.
 */
export function flag(flags: string, description: string, env?: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  if (long === undefined) throw new Error(`flag ${flags}: needs a --long name`);
  const name = env ?? envNameForFlag(long);
  const opt = new Option(flags, `${description} [env: ${name}=true|false]`);
  const raw = process.env[name];
  if (raw === undefined) return opt;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return opt.default(true, `${name}=${raw}`);
  if (FALSE_WORDS.has(word)) return opt;
  throw invalidArgument('config.invalid', `${name}: ${JSON.stringify(raw)} is not true or false`, { fields: { option: name, value: raw } });
}

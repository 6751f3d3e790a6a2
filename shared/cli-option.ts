// Options are declared once: the flag, its SHOAL_* environment variable and a parser from
// shared/config that names the flag in its error.

import { Option } from 'commander';
import { envNameForFlag, type Parser } from './config.js';

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

// Test support (root): what another user of the host — `nobody`, uid and gid 65534, no other
// groups — gets when it tries a path. The attempt runs in a Node process started through
// util-linux's setpriv, so the answer is the kernel's own errno (EACCES), not a guess from modes.

import { runUnchecked } from './exec.js';

export const NOBODY_UID = 65534;

export type NobodyAttempt = 'list' | 'read' | 'exec' | 'connect';

// One small program per attempt: prints `ok` (and for exec what the program printed) or the errno.
const PROGRAMS: Record<NobodyAttempt, string> = {
  list: `try { require('node:fs').readdirSync(process.argv[1]); console.log('ok'); } catch (e) { console.log(e.code); }`,
  read: `try { require('node:fs').readFileSync(process.argv[1]); console.log('ok'); } catch (e) { console.log(e.code); }`,
  exec: `const r = require('node:child_process').spawnSync(process.argv[1], process.argv.slice(2), { encoding: 'utf8', timeout: 10000 });
         console.log(r.error !== undefined ? r.error.code : 'ok ' + String(r.stdout).trim());`,
  connect: `const s = require('node:net').connect(process.argv[1]);
            s.on('connect', () => { console.log('ok'); s.destroy(); });
            s.on('error', (e) => console.log(e.code));`,
};

/**
 * Tries `path` as nobody: `ok` when it worked (`ok <output>` for exec), else the error code
 * (`EACCES`, `ENOENT`, ...). `args` go to the program that exec runs.
 */
export async function asNobody(attempt: NobodyAttempt, path: string, args: readonly string[] = []): Promise<string> {
  const r = await runUnchecked(
    'setpriv',
    [`--reuid=${NOBODY_UID}`, `--regid=${NOBODY_UID}`, '--clear-groups', '--', process.execPath, '-e', PROGRAMS[attempt], path, ...args],
    { cwd: '/', timeoutMs: 20_000 },
  );
  if (r.exitCode !== 0) throw new Error(`setpriv as nobody (${attempt} ${path}): ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return r.stdout.trim();
}

// The shim's entry point, started detached by the agent (agent/shim/client.ts, startShim):
//   node dist/agent/shim/main.js --shim-id ID --version V --dir DIR --runc-root DIR --root DATA [--cgroup PATH] [--runc BIN]
// It makes itself child subreaper, leaves the agent's cgroup for its own, serves <dir>/shim.sock
// and writes "ready" on fd 3 when it listens (then closes fd 3, so it holds nothing of the agent).
// Anything that stops it from getting there (the socket cannot be bound or made 0600, shim.json
// cannot be written) ends it at once with exit code 1 and one line in shim.log saying what, so
// that the agent's start fails plainly instead of waiting for a "ready" that never comes.
// It takes bundles and log paths only under DATA, the agent's data folder (paths.ts). Its socket
// is root's alone: made 0600 under a umask of 077 in a 0700 folder, so no other user can connect,
// not even in the moment between bind and a chmod.

import { chmodSync, closeSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../shared/clock.js';
import { oneLine } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import { createLogger } from '../../shared/logger.js';
import { joinCgroup } from '../sys/cgroups.js';
import { becomeChildSubreaper } from '../sys/libc.js';
import { readMessages, toWireError, writeMessage, type ShimRequest } from './protocol.js';
import { AllowedRoot } from './paths.js';
import { Shim } from './shim.js';

const { values } = parseArgs({
  options: {
    'shim-id': { type: 'string' },
    version: { type: 'string' },
    dir: { type: 'string' },
    'runc-root': { type: 'string' },
    runc: { type: 'string' },
    cgroup: { type: 'string' },
    root: { type: 'string' },
  },
});
const shimId = values['shim-id'];
const version = values.version;
const dir = values.dir;
const runcRoot = values['runc-root'];
const root = values.root;
if (shimId === undefined || version === undefined || dir === undefined || runcRoot === undefined || root === undefined) {
  process.stderr.write('shoal shim: --shim-id, --version, --dir, --runc-root and --root are required\n');
  process.exit(2);
}
let allowedRoot: AllowedRoot;
try {
  allowedRoot = await AllowedRoot.open(root);
} catch (e) {
  process.stderr.write(`shoal shim: --root ${root}: ${oneLine(e)}\n`);
  process.exit(2);
}

const logger = createLogger({ format: 'json', level: 'info' }).child({ component: 'shim', shim: shimId });
becomeChildSubreaper();
if (values.cgroup !== undefined) {
  const refused = joinCgroup(values.cgroup, process.pid);
  if (refused.length > 0) logger.warn({ refused }, 'could not leave the agent cgroup in some hierarchies');
}

const socketPath = join(dir, 'shim.sock');
const server = createServer();
const shim = new Shim({
  shimId,
  version,
  dir,
  runcRoot,
  allowedRoot,
  ...(values.runc !== undefined ? { runcBinary: values.runc } : {}),
  clock: systemClock,
  logger,
});

/** Once drained, the shim exits after its answer has been written. */
function answer(socket: Socket, message: unknown): void {
  writeMessage(socket, message);
  if (!shim.drained) return;
  logger.info('drained: no container left, exiting');
  server.close();
  socket.end(() => process.exit(0));
}

process.on('SIGCHLD', () => shim.reapTracked());
// The shim must outlive anything that goes wrong in one request.
process.on('uncaughtException', (e) => logger.error({ err: oneLine(e) }, 'uncaught error'));
process.on('unhandledRejection', (e) => logger.error({ err: oneLine(e) }, 'unhandled rejection'));
// The agent's terminal going away is no reason to stop.
process.on('SIGHUP', () => undefined);

server.on('connection', (socket) => {
  shim.addClient(socket);
  // An agent that goes away mid-write (EPIPE, ECONNRESET): 'close' follows and forgets it.
  socket.on('error', (e) => logger.debug({ err: oneLine(e) }, 'client connection failed'));
  readMessages(
    socket,
    (m) => {
      const { seq, ...req } = m as { seq: number } & ShimRequest;
      shim.handle(req as ShimRequest).then(
        (result) => answer(socket, { seq, ok: true, result }),
        (err: unknown) => answer(socket, { seq, ok: false, error: toWireError(err) }),
      );
    },
    (reason) => logger.warn({ reason }, 'dropped a client'),
  );
});

/** Ends a start that cannot complete: why, in shim.log (stderr), then exit code 1 (startShim reports it). */
function failStart(what: string, e: unknown): never {
  logger.fatal({ err: oneLine(e), socket: socketPath }, `shim cannot start: ${what}`);
  process.exit(1);
}

// Before it serves, a failure to bind is the end of this shim; once it serves, one failed accept is not.
server.on('error', (e) => {
  if (!server.listening) failStart(`cannot listen on ${socketPath}`, e);
  logger.error({ err: oneLine(e) }, 'accepting a connection failed');
});

// Only root may talk to the shim: the folder first, then the socket itself from its creation on
// (bind happens inside listen(), synchronously, so the umask covers exactly it).
try {
  chmodSync(dir, 0o700);
} catch (e) {
  failStart(`cannot make ${dir} root's alone`, e);
}
const umask = process.umask(0o077);
try {
  server.listen(socketPath, () => void onListening(dir));
} finally {
  process.umask(umask);
}

async function onListening(dir: string): Promise<void> {
  try {
    chmodSync(socketPath, 0o600);
  } catch (e) {
    failStart(`cannot make ${socketPath} 0600`, e);
  }
  const info = join(dir, 'shim.json');
  try {
    await writeFileAtomic(info, JSON.stringify({ shimId, version, pid: process.pid, startedAtMs: Date.now() }));
  } catch (e) {
    failStart(`cannot write ${info}`, e);
  }
  try {
    writeSync(3, 'ready\n');
    closeSync(3);
  } catch {
    // started without a ready pipe (by hand): nothing to tell
  }
  logger.info({ socket: socketPath, pid: process.pid, root: allowedRoot.root }, 'shim serving');
}

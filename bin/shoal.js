#!/usr/bin/env node
// The `shoal` command's composition root: the CLI with the daemons' command areas. The
// TypeScript sources are compiled to dist/ by `npm run build` (run by `npm install` through the
// "prepare" script).
import { main } from '../dist/cli/main.js';
import { managerAreas } from '../dist/manager/cli.js';
import { agentAreas } from '../dist/agent/cli.js';

/** How long a finished command may take to end on its own before it is made to. */
const EXIT_GRACE_MS = 250;

process.exitCode = await main(process.argv, [...managerAreas, ...agentAreas]);
// The command is done (daemons too: main returns once they have stopped). A gRPC channel still
// connecting to a manager that never answers (its host powered off) keeps its TCP connect open
// until the kernel gives up, a minute or more, and grpc-js cannot abort it: exit rather than wait.
// Nothing written is lost: on Linux stdout and stderr are synchronous (files, pipes, terminals).
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();

#!/usr/bin/env node
// The `shoal` command's composition root: the CLI with the daemons' command areas. The
// TypeScript sources are compiled to dist/ by `npm run build` (run by `npm install` through the
// "prepare" script).
import { main } from '../dist/cli/main.js';
import { managerAreas } from '../dist/manager/cli.js';
import { agentAreas } from '../dist/agent/cli.js';

process.exitCode = await main(process.argv, [...managerAreas, ...agentAreas]);

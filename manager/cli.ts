// The manager's command areas for the `shoal` binary (registered by bin/shoal.js):
// `shoal raft-kv` now; `shoal manager init|join|recover` with the control-plane issue.

import type { AreaRegistrar } from '../shared/cli-area.js';
import { registerRaftKv } from './raft/kv/command.js';

export const managerAreas: readonly AreaRegistrar[] = [registerRaftKv];

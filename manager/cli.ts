// The manager's command areas for the `shoal` binary (registered by bin/shoal.js):
// `shoal raft-kv`, and `shoal manager [init]` (join, leave and recover with the next steps).

import type { AreaRegistrar } from '../shared/cli-area.js';
import { registerManager } from './daemon/command.js';
import { registerRaftKv } from './raft/kv/command.js';

export const managerAreas: readonly AreaRegistrar[] = [registerRaftKv, registerManager];

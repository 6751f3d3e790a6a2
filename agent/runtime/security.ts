// A container's security options as the runtime API carries them (proto SecurityOptions, Docker's
// --security-opt), read into what spec generation takes, before anything of the container exists.

import type { SecurityOptions__Output } from '../../proto/gen/shoal/runtime/v1/SecurityOptions.js';
import { ShoalError, failedPrecondition, invalidArgument } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { RuntimeHost } from '../oci/host.js';
import { parseSeccompProfile } from '../oci/seccomp-profile.js';
import type { SeccompChoice } from '../oci/seccomp.js';

/** What a container was created with, kept in its record and shown by inspect. */
export interface ContainerSecurity {
  readonly seccomp: 'default' | 'unconfined' | 'profile';
  /** Where a profile came from (the file the client read). */
  readonly seccompProfileSource?: string;
}

export interface ResolvedSecurity {
  readonly seccomp: SeccompChoice;
  readonly record: ContainerSecurity;
}

/**
 * The seccomp choice of a create request. Throws invalid_argument for an unknown mode or a bad
 * profile (one line naming the file), failed_precondition for a profile the runtime cannot load.
 * A runtime built without seccomp runs default containers unconfined, with a warning, as Docker
 * does on such hosts.
 */
export function resolveSecurity(o: SecurityOptions__Output | null | undefined, host: RuntimeHost, logger: Logger): ResolvedSecurity {
  const mode = o?.seccomp ?? '';
  if (mode === 'unconfined') return { seccomp: { mode: 'unconfined' }, record: { seccomp: 'unconfined' } };
  if (mode === '' || mode === 'default') {
    if (host.seccomp) return { seccomp: { mode: 'default' }, record: { seccomp: 'default' } };
    logger.warn('the OCI runtime was built without seccomp: the container runs without the default profile');
    return { seccomp: { mode: 'unconfined' }, record: { seccomp: 'unconfined' } };
  }
  if (mode !== 'profile') throw invalidArgument('seccomp.bad_mode', `security.seccomp: ${JSON.stringify(mode)} is not default, unconfined or profile`);
  const source = o?.seccompProfileSource || 'given';
  let template;
  try {
    template = parseSeccompProfile(o?.seccompProfileJson ?? '', source);
  } catch (e) {
    if (e instanceof ShoalError) logger.info({ source, err: e.message }, 'seccomp profile refused');
    throw e;
  }
  if (!host.seccomp) throw failedPrecondition('seccomp.unsupported', `seccomp profile ${source}: the OCI runtime on this host was built without seccomp`);
  return { seccomp: { mode: 'profile', template }, record: { seccomp: 'profile', seccompProfileSource: source } };
}

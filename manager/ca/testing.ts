// Test support: a root CA made by this module, at a fixed time, for the tests of manager/ca and
// of the code that takes certificates from it.

import { createRootCa, loadRootCa, type RootCa, type RootCaPem } from './root-ca.js';

/** The tests' "now": 2026-01-01T00:00:00Z, ManualClock's default epoch. */
export const T0_MS = Date.UTC(2026, 0, 1);

export interface TestRootCa {
  readonly pem: RootCaPem;
  readonly ca: RootCa;
}

export async function testRootCa(clusterId = 'cluster-a', nowMs = T0_MS, validityMs?: number): Promise<TestRootCa> {
  const pem = await createRootCa({ clusterId, nowMs, ...(validityMs === undefined ? {} : { validityMs }) });
  return { pem, ca: await loadRootCa(pem.certPem, pem.keyPem) };
}

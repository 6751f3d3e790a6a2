// Builders for store tests: small valid specs and statuses, overridable field by field.

import type { CreateOp } from './command.js';
import type { NodeSpec, ServiceSpec, TaskSpec } from './types.js';

export function nodeCreate(id: string, hostname: string, spec: Partial<NodeSpec> = {}): CreateOp {
  return { op: 'create', kind: 'node', id, spec: { hostname, role: 'worker', availability: 'active', labels: {}, ...spec }, status: { state: 'unknown' } };
}

export function taskCreate(id: string, name: string, spec: Partial<TaskSpec> = {}): CreateOp {
  return { op: 'create', kind: 'task', id, spec: { name, image: 'busybox', desiredState: 'running', labels: {}, ...spec }, status: { state: 'new' } };
}

export function serviceCreate(id: string, name: string, spec: Partial<ServiceSpec> = {}): CreateOp {
  return { op: 'create', kind: 'service', id, spec: { name, image: 'busybox', replicas: 1, labels: {}, ...spec }, status: {} };
}

import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AssertionError, ShoalError, assert, fromGrpcStatus, invalidArgument, notFound, oneLine, toGrpcStatus } from './errors.js';

describe('errors', () => {
  it('maps a ShoalError to the gRPC status of its kind, keeping code and fields', () => {
    const err = invalidArgument('service.bad_replicas', 'service.replicas: must be ≥ 0', { fields: { field: 'service.replicas', value: -1 } });
    const s = toGrpcStatus(err);
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe('service.replicas: must be ≥ 0');
    const back = fromGrpcStatus({ code: s.code, details: s.details, metadata: s.metadata });
    expect(back.kind).toBe('invalid_argument');
    expect(back.code).toBe('service.bad_replicas');
    expect(back.fields).toEqual({ field: 'service.replicas', value: -1 });
    expect(back.message).toBe('service.replicas: must be ≥ 0');
  });

  it('turns an unexpected error into internal, and an unknown status into a ShoalError', () => {
    expect(toGrpcStatus(new TypeError('x is undefined')).code).toBe(status.INTERNAL);
    const e = fromGrpcStatus({ code: status.UNAVAILABLE, details: 'connection refused', metadata: new Metadata() });
    expect(e).toBeInstanceOf(ShoalError);
    expect(e.kind).toBe('unavailable');
    expect(e.code).toBe('grpc.unavailable');
    expect(e.retryable).toBe(true);
    expect(notFound('x.y', 'no x').retryable).toBe(false);
  });

  it('ignores malformed fields metadata instead of failing', () => {
    const md = new Metadata();
    md.set('shoal-error-fields', '{not json');
    expect(fromGrpcStatus({ code: status.NOT_FOUND, details: 'gone', metadata: md }).fields).toEqual({});
  });

  it('renders any error as one line', () => {
    expect(oneLine(new Error('first\n  second\n'))).toBe('first; second');
    expect(oneLine('plain')).toBe('plain');
  });

  it('asserts with a distinct error class for bugs', () => {
    expect(() => assert(false, 'broken invariant')).toThrow(AssertionError);
    expect(() => assert(true, 'fine')).not.toThrow();
  });
});

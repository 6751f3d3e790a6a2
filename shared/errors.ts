// One error taxonomy for the whole of Shoal.
//
// Operating errors (bad input, a missing object, a peer that is down) are ShoalErrors: a kind
// that mirrors a gRPC status code, a stable machine-readable `code` ("lab.name_in_use"), a
// one-line human message that names what was wrong, typed `fields` and an optional `cause`.
// Bugs are not ShoalErrors: they are assertion failures (see `assert`) and crash.
//
// gRPC status conversion happens only at the API boundary (shared/grpc.ts), through
// `toGrpcStatus` and `fromGrpcStatus` below.

import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';

/** Error kinds, one per gRPC status code that Shoal uses. */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'permission_denied'
  | 'unauthenticated'
  | 'resource_exhausted'
  | 'aborted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'cancelled'
  | 'unimplemented'
  | 'internal';

const grpcCodeByKind: Record<ErrorKind, GrpcStatus> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  not_found: GrpcStatus.NOT_FOUND,
  already_exists: GrpcStatus.ALREADY_EXISTS,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  resource_exhausted: GrpcStatus.RESOURCE_EXHAUSTED,
  aborted: GrpcStatus.ABORTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
  cancelled: GrpcStatus.CANCELLED,
  unimplemented: GrpcStatus.UNIMPLEMENTED,
  internal: GrpcStatus.INTERNAL,
};

export const isErrorKind = (v: unknown): v is ErrorKind => typeof v === 'string' && Object.hasOwn(grpcCodeByKind, v);

const kindByGrpcCode = new Map<GrpcStatus, ErrorKind>(
  Object.entries(grpcCodeByKind).map(([kind, code]) => [code, kind as ErrorKind]),
);

/** Scalar values only, so that fields survive the trip through gRPC metadata as JSON. */
export type ErrorFields = Readonly<Record<string, string | number | boolean>>;

export interface ShoalErrorOptions {
  readonly fields?: ErrorFields;
  readonly cause?: unknown;
}

export class ShoalError extends Error {
  override readonly name = 'ShoalError';
  readonly kind: ErrorKind;
  /** Stable identifier, `area.what` in snake case; clients may switch on it. */
  readonly code: string;
  readonly fields: ErrorFields;

  constructor(kind: ErrorKind, code: string, message: string, options: ShoalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.fields = options.fields ?? {};
  }

  /** Whether retrying the same call later may succeed. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'deadline_exceeded' || this.kind === 'aborted';
  }
}

/** Shorthands for the common kinds; the message must name what was wrong. */
export const invalidArgument = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('invalid_argument', code, message, options);
export const notFound = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('not_found', code, message, options);
export const alreadyExists = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('already_exists', code, message, options);
export const failedPrecondition = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('failed_precondition', code, message, options);
export const unavailable = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('unavailable', code, message, options);
export const internal = (code: string, message: string, options?: ShoalErrorOptions): ShoalError =>
  new ShoalError('internal', code, message, options);

/** A broken invariant: a bug in Shoal. Never caught and handled as an operating error. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** The one line a user sees for any error: the message, never a stack. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim().replace(/\s*\n\s*/g, '; ');
}

// ---------------------------------------------------------------------------------------------
// gRPC boundary

export const METADATA_CODE = 'shoal-error-code';
export const METADATA_FIELDS = 'shoal-error-fields';

export interface GrpcStatusObject {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

/** Converts any thrown value into the status a gRPC handler returns. Unknown errors are internal. */
export function toGrpcStatus(err: unknown): GrpcStatusObject {
  const metadata = new Metadata();
  if (err instanceof ShoalError) {
    metadata.set(METADATA_CODE, err.code);
    if (Object.keys(err.fields).length > 0) metadata.set(METADATA_FIELDS, JSON.stringify(err.fields));
    return { code: grpcCodeByKind[err.kind], details: oneLine(err), metadata };
  }
  metadata.set(METADATA_CODE, 'internal.unexpected');
  return { code: GrpcStatus.INTERNAL, details: oneLine(err), metadata };
}

interface GrpcErrorLike {
  code?: unknown;
  details?: unknown;
  message?: unknown;
  metadata?: unknown;
}

/** Converts an error from a gRPC client call back into a ShoalError. */
export function fromGrpcStatus(err: unknown): ShoalError {
  if (err instanceof ShoalError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as GrpcErrorLike;
  const code = typeof e.code === 'number' ? (e.code as GrpcStatus) : GrpcStatus.UNKNOWN;
  const kind = kindByGrpcCode.get(code) ?? 'internal';
  const details = typeof e.details === 'string' && e.details !== '' ? e.details : oneLine(err);
  let shoalCode = `grpc.${GrpcStatus[code]?.toLowerCase() ?? 'unknown'}`;
  let fields: ErrorFields = {};
  if (e.metadata instanceof Metadata) {
    const [c] = e.metadata.get(METADATA_CODE);
    if (typeof c === 'string') shoalCode = c;
    const [f] = e.metadata.get(METADATA_FIELDS);
    if (typeof f === 'string') fields = parseFields(f);
  }
  return new ShoalError(kind, shoalCode, details, { fields, cause: err });
}

function parseFields(json: string): ErrorFields {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    }
    return out;
  } catch {
    return {};
  }
}

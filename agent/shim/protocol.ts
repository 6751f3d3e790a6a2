// What the agent and its shim say to each other over the shim's unix socket: one JSON object a
// line. The agent sends requests ({seq, op, ...}); the shim answers each ({seq, ok, result} or
// {seq, ok: false, error}) and pushes exit events ({event}) to every connected agent.
//
// JSON lines rather than gRPC keep the shim small (it is one long-lived process per agent and
// its memory is counted per container); the messages are few and the socket is local.

import type { Socket } from 'node:net';
import { ShoalError, type ErrorKind } from '../../shared/errors.js';

export interface LogOptions {
  readonly path: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** How a task ended, as Shoal reports it (types.proto ExitStatus). */
export interface TaskExit {
  /** The exit code, or 128 + the signal number when a signal ended the process. */
  readonly exitCode: number;
  readonly signal: string;
  readonly oomKilled: boolean;
  readonly exitedAtMs: number;
}

export interface TaskRecord {
  readonly id: string;
  readonly bundle: string;
  readonly pid: number;
  readonly log: LogOptions;
  readonly startedAtMs: number;
  readonly exit?: TaskExit;
}

export type ShimRequest =
  | { readonly op: 'hello' }
  | { readonly op: 'start'; readonly id: string; readonly bundle: string; readonly log: LogOptions }
  | { readonly op: 'kill'; readonly id: string; readonly signal: string }
  | { readonly op: 'delete'; readonly id: string; readonly force: boolean }
  | { readonly op: 'list' }
  | { readonly op: 'drain' };

export interface ShimHello {
  readonly shimId: string;
  readonly version: string;
  readonly pid: number;
  readonly draining: boolean;
}

export interface ShimResults {
  hello: ShimHello;
  start: TaskRecord;
  kill: Record<string, never>;
  delete: Record<string, never>;
  list: { tasks: TaskRecord[] };
  drain: Record<string, never>;
}

export type ShimEvent = { readonly type: 'exit'; readonly id: string; readonly pid: number; readonly exit: TaskExit };

export type WireError = { readonly kind: ErrorKind; readonly code: string; readonly message: string };

export type ShimMessage =
  | { readonly seq: number; readonly ok: true; readonly result: unknown }
  | { readonly seq: number; readonly ok: false; readonly error: WireError }
  | { readonly event: ShimEvent };

/** A message line is at most this long; a peer that sends more is cut off. */
export const MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

export function toWireError(err: unknown): WireError {
  if (err instanceof ShoalError) return { kind: err.kind, code: err.code, message: err.message };
  return { kind: 'internal', code: 'shim.internal', message: err instanceof Error ? err.message : String(err) };
}

export function fromWireError(e: WireError): ShoalError {
  return new ShoalError(e.kind, e.code, e.message);
}

/** Splits a socket's bytes into JSON messages; calls `onError` once for garbage or overlong lines. */
export function readMessages(socket: Socket, onMessage: (m: unknown) => void, onError: (reason: string) => void): void {
  let buffered: Buffer[] = [];
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      buffered.push(chunk.subarray(start, nl));
      const line = Buffer.concat(buffered).toString('utf8');
      buffered = [];
      bytes = 0;
      start = nl + 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        onError('a message is not JSON');
        socket.destroy();
        return;
      }
      onMessage(parsed);
    }
    if (start < chunk.length) {
      buffered.push(chunk.subarray(start));
      bytes += chunk.length - start;
      if (bytes > MESSAGE_BYTES_MAX) {
        onError(`a message is longer than ${MESSAGE_BYTES_MAX} bytes`);
        socket.destroy();
      }
    }
  });
}

export function writeMessage(socket: Socket, message: unknown): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

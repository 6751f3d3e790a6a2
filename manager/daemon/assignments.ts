// What the leader tells an agent to run (Dispatcher.Assignments), and what it hears back
// (Dispatcher.UpdateTaskStatus), as store reads and writes. Pure mapping and rules; the streams
// and batching are in dispatcher.ts.
//
// A node is assigned each task whose spec names it, except the finished ones the managers asked
// to be removed (the reaper deletes those): the agent keeps an exited container until it is
// told to remove it, as `docker ps -a` shows it. A change to a task is an UPDATE for its node;
// a task that leaves a node (deleted, moved) is a REMOVE there.

import type { TaskStatus as TaskStatusMessage } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import { TASK_STATES, type StoreObjectOf, type TaskState, type TaskStatus } from '../store/types.js';

/** Finished for good: TERMINAL_TASK_STATES less `orphaned`, which runs again when its node returns. */
const FINISHED: readonly TaskState[] = ['complete', 'failed', 'shutdown', 'rejected'];

/** Whether `task` is among the assignments of `nodeId`. */
export function assignedTo(task: StoreObjectOf<'task'> | undefined, nodeId: string): boolean {
  if (task === undefined || task.spec.nodeId !== nodeId) return false;
  return !(task.spec.desiredState === 'remove' && FINISHED.includes(task.status.state));
}

/** A task as an agent receives it: the same message the Control API shows (control-tasks.ts). */
export { taskMessage } from './control-tasks.js';

/** The states an agent may report (the managers' own: new, pending, assigned, orphaned, are not). */
export const AGENT_STATES: readonly TaskState[] = ['accepted', 'preparing', 'starting', 'running', 'complete', 'failed', 'shutdown', 'rejected'];

const rank = (s: TaskState): number => Math.min(TASK_STATES.indexOf(s), TASK_STATES.indexOf('complete'));

/**
 * The task's status after an agent's report, or undefined when the report changes nothing or
 * would move the task backwards (a late report; states only move forward). A task the managers
 * marked orphaned while its node was down is running again when the agent says so.
 */
export function reportedStatus(current: TaskStatus, report: TaskStatusMessage): TaskStatus | undefined {
  const state = report.state as TaskState;
  if (!AGENT_STATES.includes(state)) return undefined;
  const backToRunning = current.state === 'orphaned' && state === 'running';
  if (!backToRunning && FINISHED.includes(current.state)) return undefined;
  if (!backToRunning && rank(state) < rank(current.state)) return undefined;
  const exit = report.exit;
  const exitText = exit === null || exit === undefined ? '' : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? 0}${exit.oomKilled ? ' (out of memory)' : ''}`;
  const message = [report.error, report.message, state === 'complete' || state === 'failed' ? exitText : ''].filter((m) => m !== undefined && m !== '').join('; ').slice(0, 1000);
  const next: TaskStatus = {
    state,
    ...(message !== '' ? { message } : {}),
    ...(report.lost === true && FINISHED.includes(state) ? { lost: true as const } : {}),
    ...(report.containerId ? { containerId: report.containerId } : current.containerId !== undefined ? { containerId: current.containerId } : {}),
  };
  if (next.state === current.state && next.message === current.message && next.containerId === current.containerId && next.lost === current.lost) return undefined;
  return next;
}

// The scheduling priority of one of the server's worker threads (the read threads, the audit writer):
// on a machine with few cores, a worker thread woken by a message can take the core the server's own
// thread was running on, and every request waits on that thread (docs/performance.md, "Concurrency",
// "Thread priorities"). Linux schedules threads as tasks of their own: setpriority(2) given a thread's
// id changes that thread's nice value only (setpriority(2): "under the current Linux/NPTL implementation
// of POSIX threads, the nice value is a per-thread attribute"), and raising one's own nice needs no
// privilege. Elsewhere this does nothing.
import fs from 'node:fs';
import os from 'node:os';

/** The highest nice value (lowest priority) Linux has. */
export const maxNice = 19;

export type PriorityChange =
  | { changed: true; threadId: number; nice: number }
  | { changed: false; reason: string };

/** The calling thread's kernel id ('<pid>/task/<tid>' is what /proc/thread-self points at), or why it is not known. */
function ownThreadId(): number | string {
  if (process.platform !== 'linux') {
    return `per-thread priorities are set on Linux only, not on ${process.platform}`;
  }
  let link: string;
  try {
    link = fs.readlinkSync('/proc/thread-self');
  } catch (err) {
    return `/proc/thread-self cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const match = /^\d+\/task\/(\d+)$/.exec(link);
  return match ? Number(match[1]) : `/proc/thread-self points at '${link}', not '<pid>/task/<tid>'`;
}

/**
 * Makes the calling thread `by` nice steps less favoured than it now is (a thread starts with its
 * process's nice value), at most 19; 0 changes nothing. A relative step keeps the thread below the
 * server's own thread however the server was started (`nice -n 5 node ...`), and never needs a
 * privilege. Never throws: where it cannot be done, it says why and the thread runs as it was.
 */
export function lowerOwnPriority(by: number): PriorityChange {
  if (by === 0) {
    return { changed: false, reason: 'no change asked' };
  }
  const threadId = ownThreadId();
  if (typeof threadId === 'string') {
    return { changed: false, reason: threadId };
  }
  try {
    const nice = Math.min(maxNice, os.getPriority(threadId) + by);
    os.setPriority(threadId, nice);
    return { changed: true, threadId, nice };
  } catch (err) {
    // A sandbox (seccomp) may refuse the call: the thread keeps its priority.
    return { changed: false, reason: `setpriority failed (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

/**
 * Why worker threads' priorities cannot be changed in this process, or undefined when they can: asked
 * once by the server's thread, which has the logger, since the threads themselves log nothing. It
 * sets its own thread's nice to what it already is, which tests the call without changing anything.
 */
export function threadPriorityUnsupported(): string | undefined {
  const threadId = ownThreadId();
  if (typeof threadId === 'string') {
    return threadId;
  }
  try {
    os.setPriority(threadId, os.getPriority(threadId));
    return undefined;
  } catch (err) {
    return `setpriority failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

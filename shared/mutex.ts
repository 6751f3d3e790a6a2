// Serializing async work: one operation at a time on a thing (a file rewritten whole, one
// container's lifecycle), in the order asked, without blocking anything else.

export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier `run` has settled; resolves or rejects as `fn` does. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One Mutex per key, dropped when idle. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/**
 * Many holders of the shared side at once, or one of the exclusive side alone. Waiters are served
 * in the order they asked: a shared request behind a waiting exclusive one waits too, so a steady
 * stream of shared holders cannot starve the exclusive side. Not re-entrant: a holder that asks
 * again while an exclusive request waits deadlocks, so keep the sections small and flat.
 */
export class ReadWriteLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly queue: { readonly exclusive: boolean; readonly grant: () => void }[] = [];

  /** Runs `fn` alongside other shared holders, never during an exclusive one. */
  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(false, fn);
  }

  /** Runs `fn` with no other holder of either side. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(true, fn);
  }

  /** Requests waiting for their turn (for tests that order work around the lock). */
  get waiting(): number {
    return this.queue.length;
  }

  private async hold<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.queue.length === 0 && this.free(exclusive)) this.take(exclusive);
    else await new Promise<void>((grant) => this.queue.push({ exclusive, grant }));
    try {
      return await fn();
    } finally {
      if (exclusive) this.exclusiveHeld = false;
      else this.sharedHolders--;
      this.grantWaiting();
    }
  }

  private free(exclusive: boolean): boolean {
    return !this.exclusiveHeld && (!exclusive || this.sharedHolders === 0);
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = true;
    else this.sharedHolders++;
  }

  /** Grants the head of the queue while it fits: one exclusive request, or a run of shared ones. */
  private grantWaiting(): void {
    for (let next = this.queue[0]; next !== undefined && this.free(next.exclusive); next = this.queue[0]) {
      this.queue.shift();
      this.take(next.exclusive);
      next.grant();
    }
  }
}

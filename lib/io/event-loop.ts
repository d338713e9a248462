/**
 * Yielding to Node's event loop between training steps, evaluation batches and file chunks, so
 * that timers (the run lock's refresh, a notebook's live display) and signal handlers (SIGINT,
 * SIGTERM) run during long work.
 */

/** Returns a promise that resolves after the event loop has run its pending callbacks once (setImmediate). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

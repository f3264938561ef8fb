import { readingSockets, socketRequestPhase } from '../services/poll-phase';

/**
 * Holds each response made during the event loop's poll phase until that phase is over, so the responses to all
 * the requests read in one phase are written one after another, after their handlers have all run, instead of a
 * write between every two handlers.
 *
 * A client waiting in the kernel for its response (a proxy in front of the service, a load generator) is woken
 * by each write that finds it asleep (on loopback the writer's CPU does the waking, a cross-CPU interrupt on a
 * VM). Written as they came, a busy server's responses each found the client asleep again: the write took ~25 µs
 * of a cached home page's ~56 µs of CPU, 11% of all of it in `sock_def_readable`'s wake-up (`perf`). Written
 * together, the first wakes the client and the others find it awake: ~14 µs a write, ~45 µs a page.
 *
 * A held response waits for the rest of its poll phase's handlers and for the check-phase callbacks queued before
 * it (such as that phase's group commit of posts); an idle server's single request waits for nothing but the turn
 * to the check phase. A response made later, outside a poll phase (a post answered by its group commit), is
 * written at once: those are already made together. The request-duration metrics time the handlers, not the hold.
 */
export function writeAfterPollPhase<A extends unknown[]>(fetch: (...args: A) => Response | Promise<Response>): (...args: A) => Promise<Response> {
  const hold = (response: Response) => (readingSockets() ? new Promise<Response>((resolve) => setImmediate(resolve, response)) : response);
  return (...args) => {
    socketRequestPhase();
    // Held once made: a failure is passed on at once (held, it would be an unhandled rejection until released).
    return Promise.resolve(fetch(...args)).then(hold);
  };
}

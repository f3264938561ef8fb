/**
 * Which poll phase of the event loop read the latest request from a socket. Requests are read in the poll phase;
 * setImmediate callbacks run right after it, so the phase is over once one queued by its first request has run.
 * The change tracker shares one look for other processes' commits among a phase's requests, and the server holds
 * a phase's responses until it is over (src/http/coalesce.ts).
 */
let phase = 0;
let reading = false;
const phaseOver = () => {
  reading = false;
};

/** A request was read from a socket: the number of the poll phase it was read in. */
export function socketRequestPhase(): number {
  if (!reading) {
    reading = true;
    phase++;
    setImmediate(phaseOver);
  }
  return phase;
}

/** Whether the poll phase that read the latest socket request is still going on. */
export const readingSockets = () => reading;

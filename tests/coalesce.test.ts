import { describe, expect, it } from 'vitest';
import { writeAfterPollPhase } from '../src/http/coalesce';

describe('writeAfterPollPhase', () => {
  it('runs every handler of a turn before any of their responses is handed on, in the order they came', async () => {
    const order: string[] = [];
    const fetch = writeAfterPollPhase(async (n: number) => {
      order.push(`handled ${n}`);
      return new Response(String(n));
    });
    const written = [1, 2, 3].map((n) => fetch(n).then(async (r) => order.push(`written ${await r.text()}`)));
    // However many microtasks pass, nothing is written within the turn that read the requests.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(order).toEqual(['handled 1', 'handled 2', 'handled 3']);
    await Promise.all(written);
    expect(order).toEqual(['handled 1', 'handled 2', 'handled 3', 'written 1', 'written 2', 'written 3']);
  });

  it('hands on a response made after its poll phase as soon as it is ready, and a failure as a failure', async () => {
    let finish!: (r: Response) => void;
    const slow = writeAfterPollPhase(() => new Promise<Response>((resolve) => (finish = resolve)));
    let settled = false;
    const pending = slow().then((r) => ((settled = true), r.status));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    // Made after the phase that read its request (as a post answered by its group commit): not held for
    // another turn of the loop, which a callback queued at the same moment would otherwise precede.
    const order: string[] = [];
    finish(new Response(null, { status: 204 }));
    setImmediate(() => order.push('next check phase'));
    await expect(pending.then((status) => (order.push('handed on'), status))).resolves.toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['handed on', 'next check phase']);

    // Passed on at once: held until the check phase, the rejection would count as unhandled meanwhile (which
    // ends a Node process by default).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = writeAfterPollPhase(async () => {
        throw new Error('handler failed');
      });
      const failed = failing().catch((err: Error) => err.message);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await failed).toBe('handler failed');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    // A handler that throws at once throws to the caller at once, as the unwrapped fetch would.
    const throwing = writeAfterPollPhase((): Response => {
      throw new Error('at once');
    });
    expect(() => throwing()).toThrow('at once');
  });
});

import { EventEmitter } from 'node:events';

export type LiveEvent =
  | { type: 'post'; seq: number; id: string; authorId: number; authorBot: boolean }
  | { type: 'delete'; id: string; authorId: number }
  | { type: 'shutdown' };

/** The in-process fan-out behind SSE and /live: services publish, streams subscribe. */
export class EventHub {
  private readonly emitter = new EventEmitter();
  private shutDown = false;
  private readonly streams = new Map<string, number>();
  /** Told of every error a listener threw (the app logs them). */
  reportError: (err: unknown) => void = () => {};

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    if (event.type === 'shutdown') this.shutDown = true;
    this.emitter.emit('event', event);
  }

  /** True once the server began shutting down: a stream opened now (a client reconnecting on a connection kept
   * alive) ends at once instead of holding the shutdown until it is forced. */
  get closed(): boolean {
    return this.shutDown;
  }

  /**
   * Registers a listener and returns the function that removes it. A listener that throws is handed its error
   * (`onError`) and the others still hear the event: one failing stream must not keep a post from the rest, nor
   * throw out of the write that announced it.
   */
  subscribe(listener: (event: LiveEvent) => void, onError: (err: unknown) => void): () => void {
    const guarded = (event: LiveEvent) => {
      try {
        listener(event);
      } catch (err) {
        this.reportError(err);
        onError(err);
      }
    };
    this.emitter.on('event', guarded);
    return () => this.emitter.off('event', guarded);
  }

  /** Counts a stream opened by `client` unless it already has `max` open; returns the function that uncounts it. */
  admit(client: string, max: number): (() => void) | null {
    const open = this.streams.get(client) ?? 0;
    if (open >= max) return null;
    this.streams.set(client, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.streams.get(client)! - 1;
      if (left === 0) this.streams.delete(client);
      else this.streams.set(client, left);
    };
  }

  /** How many streams are listening (for metrics and leak tests). */
  get listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}

import { EventEmitter } from 'node:events';

export type LiveEvent =
  | { type: 'post'; seq: number; id: string; authorId: number; authorBot: boolean }
  | { type: 'delete'; id: string; authorId: number }
  | { type: 'shutdown' };

/** The in-process fan-out behind SSE and /live: services publish, streams subscribe. */
export class EventHub {
  private readonly emitter = new EventEmitter();
  private shutDown = false;

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

  /** Registers a listener and returns the function that removes it. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** How many streams are listening (for metrics and leak tests). */
  get listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}

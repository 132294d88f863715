import type { Logger } from './logger';

/**
 * The platform's in-process events, declared in one place: the name and what it carries.
 * A module emits after its transaction has committed (never inside it), so a handler sees the
 * committed state and a handler's failure cannot roll the change back.
 */
export interface PlatformEvents {
  /** the 综合排序 weights changed */
  'ranking.changed': Record<string, never>;
  /** a promotion was created, changed or ended */
  'promotions.changed': Record<string, never>;
  /** the complaint rates (complaints per application, last 90 days) were recomputed: product id → rate */
  'complaints.ratesChanged': { rates: ReadonlyMap<string, number> };
  /** operators saved a new version of the search dictionary */
  'search.dictionaryChanged': { version: number };
}

type Handler<P> = (payload: P) => void | Promise<void>;

/**
 * A small typed in-process event bus. `emit` runs every handler and waits for them; a handler's
 * error is logged, never thrown back to the emitter (its work has already committed).
 */
export class EventBus<Events extends object = PlatformEvents> {
  private readonly handlers = new Map<keyof Events, Handler<never>[]>();

  constructor(private readonly logger?: Logger) {}

  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): () => void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(event, list);
    return () => {
      const at = list.indexOf(handler as Handler<never>);
      if (at >= 0) list.splice(at, 1);
    };
  }

  async emit<K extends keyof Events>(event: K, payload: Events[K]): Promise<void> {
    for (const handler of [...(this.handlers.get(event) ?? [])] as Handler<Events[K]>[]) {
      try {
        await handler(payload);
      } catch (err) {
        this.logger?.error({ err, event }, 'event handler failed');
      }
    }
  }
}

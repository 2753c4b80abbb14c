// How a change reaches the people watching it. A model announces after its transaction commits
// (afterCommit in db.server.ts); each open event stream listens on the incident it shows. The
// announcement carries no content, only where to look: the stream reads what happened from the
// database, with the reader's own rights, so a bus can drop or repeat a message without anyone
// losing an event or seeing one they may not.
//
// One process: the in-process bus below. Several instances on PostgreSQL: the bus on its
// LISTEN/NOTIFY (event-bus-postgres.server.ts), with the same two methods.

export type Announcement = { incidentId: number; seq: number };
type Listener = (announcement: Announcement) => void;

/**
 * A `seq` above any: the bus may have missed announcements (its connection dropped), and each
 * listener should read again what it has not seen.
 */
export const READ_AGAIN = Number.MAX_SAFE_INTEGER;

export interface EventBus {
  /** Tells everyone listening on the incident that its events reached `seq`. */
  announce(announcement: Announcement): void;
  /** Listens on one incident until the returned function is called. */
  listen(incidentId: number, listener: Listener): () => void;
}

/** The bus of one process: listeners by incident. */
export function inProcessBus(): EventBus & { incidents(): number[] } {
  const listeners = new Map<number, Set<Listener>>();
  return {
    /** The incidents someone listens on. */
    incidents: () => [...listeners.keys()],
    announce(announcement) {
      for (const listener of [...(listeners.get(announcement.incidentId) ?? [])]) {
        try {
          listener(announcement);
        } catch (error) {
          console.error("An event listener failed:", error);
        }
      }
    },
    listen(incidentId, listener) {
      let set = listeners.get(incidentId);
      if (!set) listeners.set(incidentId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(incidentId);
      };
    },
  };
}

let bus: EventBus = inProcessBus();

/** The process's event bus. */
export function eventBus(): EventBus {
  return bus;
}

/** Replaces the bus (the bus of several instances, as the server starts; tests). */
export function useEventBus(next: EventBus): EventBus {
  bus = next;
  return next;
}

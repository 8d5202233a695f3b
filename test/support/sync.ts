// Helpers for sync tests: started matrix-js-sdk clients and waiting on their events.
import { ClientEvent, RoomEvent, SyncState, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';

/** Starts the client's sync loop and resolves once the first sync is through. */
export async function startSyncing(client: MatrixClient, opts: Parameters<MatrixClient['startClient']>[0] = {}): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState, _prev: SyncState | null, data?: { error?: Error }) => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(data?.error ?? new Error('sync failed'));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 20, lazyLoadMembers: false, ...opts });
  await ready;
}

/** Resolves when `predicate` holds, re-checking on every sync and timeline event. */
export function waitFor<T>(client: MatrixClient, predicate: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      let value: T | undefined | false;
      try {
        value = predicate();
      } catch {
        value = undefined;
      }
      if (value) {
        cleanup();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off(ClientEvent.Sync, check);
      client.off(RoomEvent.Timeline, check);
      client.off(ClientEvent.Event, check);
    };
    client.on(ClientEvent.Sync, check);
    client.on(RoomEvent.Timeline, check);
    client.on(ClientEvent.Event, check);
    check();
  });
}

export function timelineBodies(room: Room | null): string[] {
  return (room?.getLiveTimeline().getEvents() ?? [])
    .filter((e: MatrixEvent) => e.getType() === 'm.room.message')
    .map((e: MatrixEvent) => e.getContent().body as string);
}

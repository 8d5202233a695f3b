// A promise whose value, once it has one, can also be read without awaiting: the caches read on
// every sync answer from `value` and take a promise (a microtask and its garbage) only on a miss.

export interface Settling<T> {
  readonly promise: Promise<T>;
  /** Set once the promise has resolved. */
  value?: T;
}

/** Wraps `promise`; `onError` runs if it rejects (typically: forget the cache entry holding it). */
export function settling<T>(promise: Promise<T>, onError: () => void): Settling<T> {
  const entry: Settling<T> = { promise };
  promise.then(
    (value) => {
      entry.value = value;
    },
    onError,
  );
  return entry;
}

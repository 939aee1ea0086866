/**
 * Resolves `work`'s value, or `undefined` once `ms` pass or if it rejects: a probe never throws and
 * never holds its caller longer than its timeout.
 */
export function settleWithin<T>(work: () => Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    // A hung probe must not keep the agent's process alive on shutdown.
    timer.unref();
    let pending: Promise<T>;
    try {
      pending = work();
    } catch {
      clearTimeout(timer);
      resolve(undefined);
      return;
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

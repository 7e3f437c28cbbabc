/**
 * `Promise.withResolvers` for Node 20, where local tests and the bench run: @platformatic/kafka
 * needs Node 22 (the Lambda runtime, nodejs22.x, has it) and this is the one newer API it calls.
 * Local only; nothing AWS-side loads it.
 */
if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};

// Preloaded into the backend under load test (`node --require`): reports the process's V8 heap to
// the parent over the IPC channel every 100 ms. No inspector, no debug route: the backend itself
// is unchanged.
/** A heap sample sent to the load generator. */
export interface HeapSample {
  type: 'heap';
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

if (process.send) {
  const report = () => {
    const m = process.memoryUsage();
    const sample: HeapSample = {
      type: 'heap',
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    };
    process.send?.(sample);
  };
  setInterval(report, 100).unref();
  // The backend under test never outlives the load generator that started it.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep the backend alive on its own.
  process.channel?.unref();
}

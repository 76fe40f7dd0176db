// A stand-in for the backend under the stall probe: on `hold`, holds its event loop in a
// named function for the given CPU time, then says so.
function holdTheLoop(cpuMs: number) {
  const start = process.threadCpuUsage();
  let spent = 0;
  let x = 0;
  while (spent < cpuMs) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
    const now = process.threadCpuUsage(start);
    spent = (now.user + now.system) / 1000;
  }
  return x;
}

process.on('message', (m: { type: string; cpuMs: number }) => {
  if (m.type !== 'hold') return;
  holdTheLoop(m.cpuMs);
  process.send?.({ type: 'held' });
});
// Stays alive until the test disconnects.
const alive = setInterval(() => {}, 1000);
process.on('disconnect', () => clearInterval(alive));

// Memory probe for the load benchmark, preloaded into the `earshot serve` and `earshot worker` processes
// with `node --import ./test/bench/mem-probe.mjs bin/earshot.js …` (plain JS: it loads before tsx).
//
// Every EARSHOT_MEM_PROBE_MS (default 1000) it appends one JSON line to the file EARSHOT_MEM_PROBE:
//   {"t": ms since epoch, "rss", "heapUsed", "heapTotal", "external", "arrayBuffers", "liveAfterGc"}
// `liveAfterGc` is heapUsed read right after the last major (mark-sweep) garbage collection — the heap
// still reachable then, i.e. what a leak grows — or null before the first one.
// With EARSHOT_MEM_PROBE_GC_MS set, the probe also runs a full GC itself at that interval (a measurement
// point: V8 alone may run only a few major GCs in minutes); without it nothing is forced.
import fs from 'node:fs';
import { setInterval } from 'node:timers';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const file = process.env.EARSHOT_MEM_PROBE;
if (file) {
  const every = Number(process.env.EARSHOT_MEM_PROBE_MS ?? 1000);
  let liveAfterGc = null;
  let majorGcs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        majorGcs++;
        liveAfterGc = process.memoryUsage().heapUsed;
      }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const gcEvery = Number(process.env.EARSHOT_MEM_PROBE_GC_MS ?? 0);
  if (gcEvery > 0) {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    setInterval(() => gc(), gcEvery).unref();
  }
  const fd = fs.openSync(file, 'a');
  const t = setInterval(() => {
    const m = process.memoryUsage();
    fs.writeSync(fd, `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, liveAfterGc, majorGcs })}\n`);
  }, every);
  t.unref();
}

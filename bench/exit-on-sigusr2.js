// Preloaded into the gateway by `BENCH_CPU_PROF=dir` / `BENCH_HEAP_PROF=dir npm run bench`: exit normally on SIGUSR2 so
// that `--cpu-prof` / `--heap-prof` write their profiles.
process.on('SIGUSR2', () => process.exit(0));

// Preloaded into the gateway by `BENCH_CPU_PROF=dir npm run bench`: exit normally on SIGUSR2 so
// that `--cpu-prof` writes its profile.
process.on('SIGUSR2', () => process.exit(0));

// Preloaded into a `retl` child process (node -r) by the export tests: prints the process's peak
// resident memory on stderr as it exits, the figure the kernel kept (getrusage ru_maxrss, in kB).
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nretl-max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});

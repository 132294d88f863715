/** Samples this process's RSS every 100 ms while running; `peak` is the highest seen. Every bench prints it (issue 18). */
export function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  timer.unref();
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(timer), reset: () => (peak = process.memoryUsage.rss()) };
}

/** `RSS of this process: now 312 MB, peak 480 MB` */
export function rssLine(sampler: ReturnType<typeof rssSampler>, what = 'this process'): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  return `RSS of ${what}: now ${mb(process.memoryUsage.rss())}, peak ${mb(sampler.peak())}`;
}

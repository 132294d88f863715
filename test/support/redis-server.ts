import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Why a test that needs its own Redis cannot run here, or undefined when `redis-server` is installed. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'redis-server is not installed (Debian package redis-server); the outage test needs its own Redis to stop and start';
  return undefined;
}

/** A free loopback port, chosen by the kernel (so runs in parallel never collide). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway `redis-server` of this test's own on a free loopback port, without persistence
 * (a restart comes back empty, like a Redis that lost its memory). stop() and start() again
 * on the same port, to take Redis away from a running app and give it back; pause() and
 * resume() to make it hang and answer again.
 */
export async function startRedisServer() {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          proc.stdout!.off('data', onData);
          proc.stdout!.resume(); // keep draining its log
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.resume();
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) on ${port}:\n${output}`));
      });
    });
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };

  /** SIGSTOP: connections stay open and nothing answers, like a Redis that hangs */
  const pause = () => {
    child?.kill('SIGSTOP');
  };
  const resume = () => {
    child?.kill('SIGCONT');
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, pause, resume };
}
export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;

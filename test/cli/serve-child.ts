import { type ChildProcess, spawn } from 'node:child_process'
import { CLI } from './run-cli.js'

/**
 * `sluice serve --port 0 ARGS` (with `env` added, in `cwd` if given) as a child process (added to `running`, for the test to stop), once its
 * stdout matches `until`; rejects if it exits first.
 */
export function startServe(
  args: string[],
  until: RegExp,
  running: ChildProcess[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  })
  running.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      if (until.test(out)) resolve({ child, out })
    })
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before printing ${until}: ${out}`)))
  })
}

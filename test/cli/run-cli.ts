import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built CLI: tests spawn the real binary, as a user would run it. `npm test` builds first. */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string | Buffer; cwd?: string } = {},
): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run "npm run build" (npm test does it)')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    )
    child.stdin.end(options.input)
  })
}

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/open.js'

/** A fresh data directory holding an empty node, as "sluice serve" leaves it on first start. */
export async function newNodeDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  await (await openStore(undefined, dir)).close()
  return dir
}

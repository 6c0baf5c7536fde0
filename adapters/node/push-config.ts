/**
 * `portico push-config --config FILE --url ADMIN_URL --token TOKEN`: validates the file here
 * (every problem listed, nothing sent), then PUTs it to a Worker's admin mount, which validates
 * again and stores it in KV (cloudflare.config_kv_key); every isolate switches within
 * cloudflare.config_check_interval. No redeploy, no wrangler needed.
 * @module
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatIssues } from '../../src/config/issues.ts'
import { loadConfigFile } from '../server/config-file.ts'

export async function runPushConfig(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, url: { type: 'string' }, token: { type: 'string' } },
  })
  const token = values.token ?? process.env.PORTICO_ADMIN_TOKEN
  if (!values.config || !values.url || !token) {
    process.stderr.write('usage: portico push-config --config FILE --url https://<worker>/<admin.path_prefix> [--token T | PORTICO_ADMIN_TOKEN]\n')
    process.exit(2)
  }
  const file = resolve(values.config)
  const loaded = loadConfigFile(file, process.env)
  if (!loaded.ok) {
    process.stderr.write(`${formatIssues(loaded.issues)}\n`)
    process.exit(1)
  }
  // The text as written: ${env:X} references are expanded by the Worker from its own bindings.
  const res = await fetch(`${values.url.replace(/\/+$/, '')}/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
    body: readFileSync(file, 'utf8'),
  })
  const body = await res.text()
  if (!res.ok) {
    process.stderr.write(`push-config: ${res.status} ${body}\n`)
    process.exit(1)
  }
  process.stdout.write(`${body}\n`)
}

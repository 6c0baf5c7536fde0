/**
 * Config from Workers KV without a redeploy, in real workerd (Miniflare with a KV namespace):
 * the base config names the key; `portico push-config` (through the admin mount) stores a new
 * config, which the worker serves on its next check; a bad one is refused with the key path and
 * the old one keeps serving.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bundleWorker } from '../../adapters/cloudflare/bundle.ts'
import { root } from '../conformance/global-setup.ts'

const TOKEN = 'kv-config-admin-token-31f'
let mf: Miniflare
let base: string

const config = (routes: string) =>
  [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    `admin: { token: "${TOKEN}" }`,
    'cloudflare: { kv_binding: PORTICO_KV, config_kv_key: portico-config, config_check_interval: 0s }',
    'routes:',
    routes,
  ].join('\n')

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2026-01-01',
    bindings: { PORTICO_CONFIG: config('  - { id: v1, path: /v1, path_prefix: true, echo: true }') },
    kvNamespaces: ['PORTICO_KV'],
    host: '127.0.0.1',
    port: 0,
  })
  base = (await mf.ready).origin
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
})

function pushConfig(file: string) {
  return spawnSync(process.execPath, [join(root, 'bin/portico.js'), 'push-config', '--config', file, '--url', `${base}/__portico`, '--token', TOKEN], {
    encoding: 'utf8',
  })
}

it('portico push-config stores a config in KV; the worker serves it without a redeploy; a bad one is refused', async () => {
  expect((await fetch(`${base}/v1/x`)).status).toBe(200)
  expect((await fetch(`${base}/v2/x`)).status).toBe(404)

  const good = join(root, '.test-out', 'kv-config-good.yaml')
  writeFileSync(good, config('  - { id: v2, path: /v2, path_prefix: true, echo: true }'))
  const ok = pushConfig(good)
  expect(ok.status, ok.stderr).toBe(0)
  expect(ok.stdout).toContain('"version"')
  expect((await fetch(`${base}/v2/x`)).status).toBe(200)
  expect((await fetch(`${base}/v1/x`)).status).toBe(404)

  // Refused locally, nothing sent: every problem with its key path.
  const bad = join(root, '.test-out', 'kv-config-bad.yaml')
  writeFileSync(bad, config('  - { id: v3, path: v3, echo: true }'))
  const refused = pushConfig(bad)
  expect(refused.status).toBe(1)
  expect(refused.stderr).toContain('routes.0.path')
  // Refused by the worker too (a client that skips local validation), and v2 keeps serving.
  const direct = await fetch(`${base}/__portico/config`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: 'routes: [ { id: broken' })
  expect(direct.status).toBe(400)
  expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('config_invalid')
  expect((await fetch(`${base}/v2/x`)).status).toBe(200)
  // The endpoint needs the admin token.
  expect((await fetch(`${base}/__portico/config`, { method: 'PUT', body: 'routes: []' })).status).toBe(401)
})

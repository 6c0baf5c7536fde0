// Peer: a bare worker that only forwards with fetch, in workerd under local Miniflare, the way
// `portico --runtime workerd` runs. It shows what local workerd costs by itself (throughput and
// resident memory) so Portico's workerd figures can be read against it.
// Usage: node workerd-proxy.mjs PORT UPSTREAM
import { Miniflare } from 'miniflare'

const [port, upstream] = process.argv.slice(2)
const script = `export default {
  fetch(req) {
    const u = new URL(req.url)
    return fetch(${JSON.stringify(upstream)} + u.pathname + u.search, { method: req.method, headers: req.headers, body: req.body })
  },
}`
const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-01-01', host: '127.0.0.1', port: Number(port) })
await mf.ready
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => mf.dispose().finally(() => process.exit(0)))

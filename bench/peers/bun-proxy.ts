// Peer: a bare Bun.serve + fetch proxy. Usage: bun bun-proxy.ts PORT UPSTREAM
const [port, upstream] = process.argv.slice(2)
Bun.serve({
  port: Number(port),
  hostname: '127.0.0.1',
  fetch(req) {
    const u = new URL(req.url)
    return fetch(upstream + u.pathname + u.search, { method: req.method, headers: req.headers, body: req.body, decompress: false })
  },
})

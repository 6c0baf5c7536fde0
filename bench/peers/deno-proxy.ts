// Peer: a bare Deno.serve + fetch proxy. Usage: deno run -A deno-proxy.ts PORT UPSTREAM
const [port, upstream] = Deno.args
Deno.serve({ port: Number(port), hostname: '127.0.0.1', onListen() {} }, (req) => {
  const u = new URL(req.url)
  return fetch(upstream + u.pathname + u.search, { method: req.method, headers: req.headers, body: req.body })
})

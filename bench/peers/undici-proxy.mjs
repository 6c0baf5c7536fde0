// Reference: the hand-written Node proxy of architecture.md — node:http + undici Pool.stream,
// writing the upstream answer straight into the ServerResponse. Usage: node undici-proxy.mjs PORT UPSTREAM
import { createServer } from 'node:http'
import { Pool } from 'undici'

const [port, upstream] = process.argv.slice(2)
const pool = new Pool(upstream, { connections: 128, pipelining: 1 })
createServer((req, res) => {
  pool
    .stream(
      { path: req.url, method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
      ({ statusCode, headers }) => {
        delete headers.connection
        delete headers['keep-alive']
        delete headers['transfer-encoding']
        res.writeHead(statusCode, headers)
        return res
      },
    )
    .catch(() => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
}).listen(Number(port), '127.0.0.1')

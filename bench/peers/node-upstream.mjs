// Fallback upstream when nginx is not installed. Usage: node node-upstream.mjs PORT
import { createServer } from 'node:http'

const small = Buffer.from('hello world\n')
const big = Buffer.alloc(64 * 1024, 97)
createServer((req, res) => {
  if (req.url === '/files/64k.bin') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length })
    return res.end(big)
  }
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': small.length })
    res.end(small)
  })
}).listen(Number(process.argv[2]), '127.0.0.1')

// Peer: fastify + @fastify/http-proxy. Usage: node fastify-proxy.mjs PORT UPSTREAM
import proxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const [port, upstream] = process.argv.slice(2)
const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 })
// Stream request bodies through untouched instead of parsing them.
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', (_req, _payload, done) => done(null))
app.register(proxy, { upstream, prefix: '/' })
await app.listen({ port: Number(port), host: '127.0.0.1' })

/** What the benchmark puts side by side: the direct upstream, peers, and Portico per runtime. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..')
const bin = (name: string) => join(root, 'node_modules/.bin', name)

export interface Target {
  name: string
  /** Portico on workerd runs under local Miniflare: not representative of the edge. */
  note?: string
  port: number
  command?: [string, string[], Record<string, string>?]
  /** Request headers wrk sends (the realistic route's bearer token). */
  headers?: Record<string, string>
  /** Also measured in the resident-memory growth check (every Portico target is). */
  growth?: boolean
  /** Only these cases (default: all). */
  cases?: string[]
}

export function nginxConf(dir: string, listen: number, body: string): string {
  mkdirSync(join(dir, 'files'), { recursive: true })
  const file = join(dir, `nginx-${listen}.conf`)
  writeFileSync(
    file,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx-${listen}.pid;
error_log ${dir}/nginx-${listen}.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body-${listen};
  proxy_temp_path ${dir}/proxy-${listen};
  fastcgi_temp_path ${dir}/fcgi-${listen};
  uwsgi_temp_path ${dir}/uwsgi-${listen};
  scgi_temp_path ${dir}/scgi-${listen};
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${listen};
    client_max_body_size 8m;
${body}
  }
}
`,
  )
  return file
}

/** Where the upstream nginx sends uploads: bench/peers/node-upstream.mjs, which reads the whole body. */
export const UPLOAD_PORT = 19099

export function upstreamBody(dir: string): string {
  mkdirSync(join(dir, 'files'), { recursive: true })
  writeFileSync(join(dir, 'files/64k.bin'), Buffer.alloc(64 * 1024, 97))
  return `    location = /small { default_type text/plain; return 200 "hello world\\n"; }
    location /files/ { root ${dir}; }
    # nginx would answer a bare \`return\` before reading the upload, which makes undici clients stall;
    # a real service reads the body first, so uploads go on to a Node server that does.
    location = /upload { proxy_pass http://127.0.0.1:${UPLOAD_PORT}; proxy_http_version 1.1; proxy_set_header Connection ""; }`
}

export function proxyBody(upstreamPort: number): string {
  return `    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
    }
  }
  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 64;`
}

export interface Realistic {
  secret: string
  token: string
}

export function targets(upstreamPort: number, upstream: string, dir: string, hasNginx: boolean, realistic: Realistic): Target[] {
  const porticoEnv = (port: number) => ({ BENCH_PORT: String(port), BENCH_UPSTREAM: upstream })
  const config = join(root, 'bench/portico.yaml')
  const node = process.execPath
  const list: Target[] = [{ name: 'direct', port: upstreamPort }]
  if (hasNginx) list.push({ name: 'nginx proxy (1 worker)', port: 19101, command: ['nginx', ['-c', nginxConf(dir, 19101, proxyBody(upstreamPort))]] })
  list.push(
    { name: 'node: undici Pool.stream (reference)', port: 19102, command: [node, [join(root, 'bench/peers/undici-proxy.mjs'), '19102', upstream]] },
    { name: 'node: fastify + @fastify/http-proxy', port: 19103, command: [node, [join(root, 'bench/peers/fastify-proxy.mjs'), '19103', upstream]] },
    { name: 'bun: Bun.serve + fetch', port: 19104, command: [bin('bun'), [join(root, 'bench/peers/bun-proxy.ts'), '19104', upstream]] },
    { name: 'deno: Deno.serve + fetch', port: 19105, command: [bin('deno'), ['run', '-A', join(root, 'bench/peers/deno-proxy.ts'), '19105', upstream]] },
    { name: 'portico node', port: 19111, command: [node, [join(root, 'bin/portico.js'), '--config', config], porticoEnv(19111)] },
    { name: 'portico bun', port: 19112, command: [bin('bun'), [join(root, 'adapters/bun/main.ts'), '--config', config], porticoEnv(19112)] },
    {
      name: 'portico deno',
      port: 19113,
      command: [
        bin('deno'),
        ['run', '--unstable-no-legacy-abort', '-A', join(root, 'adapters/deno/main.ts'), '--config', config],
        porticoEnv(19113),
      ],
    },
    {
      name: 'workerd: bare fetch worker',
      note: 'local Miniflare',
      port: 19106,
      growth: true,
      command: [node, [join(root, 'bench/peers/workerd-proxy.mjs'), '19106', upstream]],
    },
    {
      name: 'portico workerd',
      note: 'local Miniflare, not representative of the edge',
      port: 19114,
      command: [node, [join(root, 'bin/portico.js'), '--config', config, '--runtime', 'workerd'], porticoEnv(19114)],
    },
  )
  // The realistic route, small GET only: JWT + rate limit + metrics + access log to a file.
  const rc = join(root, 'bench/portico-realistic.yaml')
  const renv = (port: number, rt: string) => ({ ...porticoEnv(port), BENCH_JWT_SECRET: realistic.secret, BENCH_LOG: join(dir, `access-${rt}.log`) })
  const auth = { authorization: `Bearer ${realistic.token}` }
  const small = ['GET small body']
  list.push(
    { name: 'portico node (realistic)', port: 19121, headers: auth, cases: small, command: [node, [join(root, 'bin/portico.js'), '--config', rc], renv(19121, 'node')] },
    { name: 'portico bun (realistic)', port: 19122, headers: auth, cases: small, command: [bin('bun'), [join(root, 'adapters/bun/main.ts'), '--config', rc], renv(19122, 'bun')] },
    {
      name: 'portico deno (realistic)',
      port: 19123,
      headers: auth,
      cases: small,
      command: [bin('deno'), ['run', '--unstable-no-legacy-abort', '-A', join(root, 'adapters/deno/main.ts'), '--config', rc], renv(19123, 'deno')],
    },
  )
  return list
}

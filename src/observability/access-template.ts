/**
 * Runway's access-log template (`logging.format`, config/log-format.ts) compiled once per
 * config into literal text and one getter per `$variable`: a request costs the getters and a
 * string join, never a parse. Values are Runway's (variables/builtin.go): times in ms with three
 * decimals, `""` for what a request lacks, `0` for an upstream status never received. Two
 * differences, both for the log's safety: a value's `"`, `\` and control characters are
 * written as `\xHH` (nginx's `escape=default`), so a request can neither end a quoted column nor
 * start a new line; and credentials (the headers, cookies and query parameters access-fields.ts
 * redacts in JSON lines) are written as `[redacted]`.
 * @module
 */
import { type LogFormatPart, type LogVariable, parseLogFormat } from '../config/log-format.ts'
import type { RequestContext } from '../core/context.ts'
import type { RequestInfo } from '../core/runtime.ts'
import { cookieValue } from '../http/cookies.ts'
import { formatIp } from '../net/ip.ts'
import { isSensitiveName } from './access-fields.ts'

/** One access line from the request, how it ended (status, body bytes) and its duration (ms). */
export type RenderAccess = (request: Request, info: RequestInfo, ctx: RequestContext | null, status: number, bytes: number, ms: number) => string
type Get = RenderAccess

const REDACTED = '[redacted]'
const UNSAFE = /["\\\x00-\x1f\x7f]/
const UNSAFE_ALL = /["\\\x00-\x1f\x7f]/g
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function escapeValue(v: string): string {
  if (!UNSAFE.test(v)) return v
  return v.replace(UNSAFE_ALL, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** Local offset as Go prints it: `Z07:00` (RFC 3339, `Z` at zero) or `-0700`. */
function offset(d: Date, rfc3339: boolean): string {
  const east = -d.getTimezoneOffset()
  if (east === 0 && rfc3339) return 'Z'
  const a = Math.abs(east)
  return `${east < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${rfc3339 ? ':' : ''}${pad(a % 60)}`
}

const clock = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`

const urlOf = (req: Request, ctx: RequestContext | null) => ctx?.url ?? new URL(req.url)
const hostOf = (req: Request, ctx: RequestContext | null) => ctx?.host ?? req.headers.get('host') ?? urlOf(req, ctx).host

/** The host of a Host field without its port (`[::1]:80` → `::1`), as Go's SplitHostPort. */
function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return host.slice(1, end === -1 ? undefined : end)
  }
  const colon = host.indexOf(':')
  return colon !== -1 && colon === host.lastIndexOf(':') ? host.slice(0, colon) : host
}

const VARIABLES: Record<LogVariable, Get> = {
  request_id: (req, _i, ctx) => ctx?.requestId ?? req.headers.get('x-request-id') ?? '',
  request_method: (req) => req.method,
  request_uri: (req, _i, ctx) => {
    const u = urlOf(req, ctx)
    return u.pathname + u.search
  },
  request_path: (req, _i, ctx) => ctx?.path ?? urlOf(req, ctx).pathname,
  query_string: (req, _i, ctx) => urlOf(req, ctx).search.slice(1),
  remote_addr: (_r, info, ctx) => ctx?.clientIp ?? formatIp(info.remoteAddr),
  server_addr: (req, _i, ctx) => hostname(hostOf(req, ctx)),
  scheme: (req, _i, ctx) => urlOf(req, ctx).protocol.slice(0, -1),
  host: (req, _i, ctx) => hostOf(req, ctx),
  content_type: (req) => req.headers.get('content-type') ?? '',
  // Go's Request.ContentLength: the field, else 0 without a body and -1 for one of unknown length.
  content_length: (req) => req.headers.get('content-length') ?? (req.body === null ? '0' : '-1'),
  upstream_addr: (_r, _i, ctx) => ctx?.upstream ?? '',
  upstream_status: (_r, _i, ctx) => String(ctx?.upstreamStatus ?? 0),
  upstream_response_time: (_r, _i, ctx) => (ctx?.upstreamMs ?? 0).toFixed(3),
  status: (_r, _i, _c, status) => String(status),
  body_bytes_sent: (_r, _i, _c, _s, bytes) => String(bytes),
  response_time: (_r, _i, _c, _s, _b, ms) => ms.toFixed(3),
  time_iso8601: () => {
    const d = new Date()
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${clock(d)}${offset(d, true)}`
  },
  time_unix: () => String(Math.floor(Date.now() / 1000)),
  time_local: () => {
    const d = new Date()
    return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${clock(d)} ${offset(d, false)}`
  },
  route_id: (_r, _i, ctx) => ctx?.route ?? '',
  auth_client_id: (_r, _i, ctx) => ctx?.clientId ?? '',
  client_cert_subject: (_r, info) => info.clientCert?.subject ?? '',
  // Runway's form (mtls.go): lower-case hex without separators.
  client_cert_fingerprint: (_r, info) => (info.clientCert?.fingerprint256 ?? '').replaceAll(':', '').toLowerCase(),
}

/** A claim as Runway prints it (Go's `%v`): a list as `[a b]`; an object as JSON. */
function claimText(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (Array.isArray(v)) return `[${v.map(claimText).join(' ')}]`
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function getterOf(part: Exclude<LogFormatPart, { text: string }>, secret: ReadonlySet<string>): Get {
  if ('variable' in part) return VARIABLES[part.variable]
  const { name } = part
  switch (part.prefix) {
    case 'http_': {
      // Runway: `$http_x_custom_header` is the field X-Custom-Header.
      const field = name.replaceAll('_', '-').toLowerCase()
      return isSensitiveName(field, secret) ? () => REDACTED : (req) => req.headers.get(field) ?? ''
    }
    case 'arg_':
      return isSensitiveName(name, secret) ? () => REDACTED : (req, _i, ctx) => urlOf(req, ctx).searchParams.get(name) ?? ''
    case 'cookie_':
      return isSensitiveName(name, secret) ? () => REDACTED : (req) => cookieValue(req.headers.get('cookie'), name) ?? ''
    case 'route_param_':
      return (_r, _i, ctx) => ctx?.params[name] ?? ''
    case 'jwt_claim_':
      return (_r, _i, ctx) => claimText(ctx?.claims?.[name])
  }
}

/**
 * `format` was validated (config load), so every variable is known here. `secretNames`: more
 * header/parameter names to redact (the api_key header and query parameter).
 */
export function compileAccessTemplate(format: string, secretNames: readonly string[] = []): RenderAccess {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()))
  const { parts, problems } = parseLogFormat(format)
  if (problems.length > 0) throw new Error(`logging.format: ${problems.join('; ')}`)
  const compiled = parts.map((p) => ('text' in p ? p.text : getterOf(p, secret)))
  const n = compiled.length
  return function renderAccess(req, info, ctx, status, bytes, ms) {
    let line = ''
    for (let i = 0; i < n; i++) {
      const p = compiled[i]
      line += typeof p === 'string' ? p : escapeValue(p(req, info, ctx, status, bytes, ms))
    }
    return line
  }
}

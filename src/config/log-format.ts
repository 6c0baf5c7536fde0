/**
 * `logging.format`: `json` (the default), or Runway's access-log template — text with
 * `$variable`s (Runway docs: observability/observability.md "Structured Logging" and
 * transformations/transformations.md "Variables"; names as its variables/builtin.go). `text`
 * is Runway's default template. Parsed here so `--validate` names a bad variable; the access
 * log compiles the parts once per config (observability/access-template.ts).
 * @module
 */
import { z } from 'zod'
import { closest } from './suggest.ts'

/** Runway's default template (its middleware/logging.go DefaultLoggingConfig). */
export const TEXT_LOG_FORMAT = '$remote_addr - [$time_iso8601] "$request_method $request_uri" $status $body_bytes_sent "$http_user_agent" $response_time'

/** Runway's variables that Portico fills, in Runway's documented order. */
export const LOG_VARIABLES = [
  'request_id', 'request_method', 'request_uri', 'request_path', 'query_string', 'remote_addr',
  'server_addr', 'scheme', 'host', 'content_type', 'content_length',
  'upstream_addr', 'upstream_status', 'upstream_response_time',
  'status', 'body_bytes_sent', 'response_time',
  'time_iso8601', 'time_unix', 'time_local',
  'route_id', 'auth_client_id', 'client_cert_subject', 'client_cert_fingerprint',
] as const
export type LogVariable = (typeof LOG_VARIABLES)[number]

/** `$http_user_agent`, `$arg_page`, … : a family of variables named by what follows the prefix. */
export const LOG_VARIABLE_PREFIXES = ['http_', 'arg_', 'cookie_', 'route_param_', 'jwt_claim_'] as const
export type LogVariablePrefix = (typeof LOG_VARIABLE_PREFIXES)[number]

/** Runway variables Portico has no value for, and why: an error rather than an empty column. */
const UNAVAILABLE: Record<string, string> = {
  remote_port: 'the runtimes do not report the client port',
  server_port: 'the runtimes do not report the listener port',
  auth_type: 'the auth policies do not record which method matched',
  api_version: "Runway's versioning feature is not available in Portico",
  client_cert_issuer: 'the adapters report only the subject and fingerprint of a client certificate',
  client_cert_serial: 'the adapters report only the subject and fingerprint of a client certificate',
  client_cert_dns_names: 'the adapters report only the subject and fingerprint of a client certificate',
}

export type LogFormatPart = { text: string } | { variable: LogVariable } | { prefix: LogVariablePrefix; name: string }

// Runway's variable syntax (variables/parser.go): `$` then a name; the longest name is taken.
const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g

/** Whether `format` asks for JSON lines (absent, `json`, or empty as from an unset `${VAR}`). */
export function isJsonLogFormat(format: string): boolean {
  return format === 'json' || format === ''
}

function variablePart(name: string): LogFormatPart | string {
  if ((LOG_VARIABLES as readonly string[]).includes(name)) return { variable: name as LogVariable }
  for (const prefix of LOG_VARIABLE_PREFIXES) {
    if (!name.startsWith(prefix)) continue
    if (name.length === prefix.length) return `$${name} names no ${prefix.slice(0, -1)} (e.g. $${prefix}${prefix === 'http_' ? 'user_agent' : 'id'})`
    return { prefix, name: name.slice(prefix.length) }
  }
  const why = UNAVAILABLE[name]
  if (why !== undefined) return `$${name} is a Runway variable Portico cannot fill: ${why}`
  const hint = closest(name, [...LOG_VARIABLES, ...LOG_VARIABLE_PREFIXES.map((p) => `${p}<name>`)])
  return `unknown variable $${name}${hint ? ` (did you mean $${hint}?)` : ''}`
}

/** A template's parts, or the problems with it (each names its variable). */
export function parseLogFormat(format: string): { parts: LogFormatPart[]; problems: string[] } {
  const template = format === 'text' ? TEXT_LOG_FORMAT : format
  const parts: LogFormatPart[] = []
  const problems: string[] = []
  let at = 0
  for (const m of template.matchAll(VARIABLE)) {
    if (m.index > at) parts.push({ text: template.slice(at, m.index) })
    const part = variablePart(m[1])
    if (typeof part === 'string') problems.push(part)
    else parts.push(part)
    at = m.index + m[0].length
  }
  if (at < template.length) parts.push({ text: template.slice(at) })
  if (problems.length === 0 && !parts.some((p) => !('text' in p))) {
    problems.push('has no $variable: use json, text (Runway\'s default line) or a template such as "$remote_addr $status"')
  }
  return { parts, problems }
}

/** The `logging.format` key: any string, checked as a template unless it asks for JSON. */
export const logFormat = z
  .string()
  .default('json')
  .superRefine((format, ctx) => {
    if (isJsonLogFormat(format)) return
    for (const message of parseLogFormat(format).problems) ctx.addIssue({ code: 'custom', message })
  })

/** `access_log_fields`/`_headers` pick fields of the JSON line: with a template they would do nothing. */
export function checkLogging(logging: { format?: string; access_log_fields?: unknown; access_log_headers?: unknown }, ctx: z.RefinementCtx): void {
  if (logging.format === undefined || isJsonLogFormat(logging.format)) return
  for (const key of ['access_log_fields', 'access_log_headers'] as const) {
    if (logging[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'shapes JSON lines; with a logging.format template, name the fields in the template instead' })
  }
}

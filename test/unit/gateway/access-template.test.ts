/**
 * `logging.format` as Runway's access-log template: validation names the variable, the line is
 * rendered from the request through the real pipeline (test/helpers/gateway-request.ts).
 */
import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { TEXT_LOG_FORMAT } from '../../../src/config/log-format.ts'
import { compileAccessTemplate } from '../../../src/observability/access-template.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

const ROUTES = `
routes:
  - { id: echo, path: /echo, echo: true }
  - { id: item, path: "/items/:id", backends: [{ url: "http://up.test:9000" }] }
`
const withFormat = (format: string, extra = '') => `logging: { format: '${format}'${extra} }\n${ROUTES}`

function issues(yaml: string): string[] {
  const res = parseConfig(yaml, 'f.yaml', { env: {} })
  return res.ok ? [] : formatIssues(res.issues).split('\n')
}

async function lineFor(format: string, path: string, init?: RequestInit & { remoteAddr?: string }, answer?: () => Response) {
  const gw = await testGateway(withFormat(format), answer)
  await (await gw.request(path, init)).arrayBuffer()
  expect(gw.access).toEqual([]) // a template replaces the JSON line
  expect(gw.accessLines).toHaveLength(1)
  return gw.accessLines[0]
}

describe('logging.format validation', () => {
  test('an unknown variable is a config error naming it, with a hint when one is close', () => {
    expect(issues(withFormat('$remote_addr $foo'))).toEqual(['f.yaml: logging.format: unknown variable $foo (line 1)'])
    expect(issues(withFormat('$stauts'))).toEqual(['f.yaml: logging.format: unknown variable $stauts (did you mean $status?) (line 1)'])
    expect(issues(withFormat('$a $b'))).toHaveLength(2)
  })

  test("Runway variables Portico cannot fill say why; a prefix needs a name; a template needs a variable", () => {
    expect(issues(withFormat('$remote_addr:$remote_port'))).toEqual([
      'f.yaml: logging.format: $remote_port is a Runway variable Portico cannot fill: the runtimes do not report the client port (line 1)',
    ])
    expect(issues(withFormat('$http_'))[0]).toContain('$http_ names no http (e.g. $http_user_agent)')
    expect(issues(withFormat('jsn'))[0]).toContain('logging.format: has no $variable')
  })

  test('json (the default, also when absent or empty) and text (Runway\'s default line) are valid', () => {
    for (const yaml of [ROUTES, withFormat('json'), withFormat(''), withFormat('text')]) expect(issues(yaml)).toEqual([])
  })

  test('access_log_fields and access_log_headers shape JSON lines only: with a template they are errors', () => {
    expect(issues(withFormat('$status', ', access_log_fields: [status]'))).toEqual([
      'f.yaml: logging.access_log_fields: shapes JSON lines; with a logging.format template, name the fields in the template instead (line 1)',
    ])
  })
})

describe('the rendered line', () => {
  test("text is Runway's default template", async () => {
    const line = await lineFor('text', '/echo?x=1', { headers: { 'user-agent': 'curl/8' }, remoteAddr: '198.51.100.4' })
    expect(line).toMatch(/^198\.51\.100\.4 - \[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)\] "GET \/echo\?x=1" 200 \d+ "curl\/8" \d+\.\d{3}$/)
    expect(TEXT_LOG_FORMAT).toContain('$http_user_agent')
  })

  test('request, route, upstream and response variables', async () => {
    const format = [
      '$request_id|$request_method|$request_uri|$request_path|$query_string|$remote_addr|$server_addr|$scheme|$host',
      '$content_type|$content_length|$route_id|$upstream_addr|$upstream_status|$status|$body_bytes_sent',
      '$route_param_id|$arg_page|$http_x_custom_header|$cookie_theme|$auth_client_id',
    ].join('|')
    const line = await lineFor(
      format,
      '/items/42?page=3&q=a',
      {
        method: 'POST',
        body: 'hello',
        headers: { 'x-request-id': 'req-1', 'content-type': 'text/plain', 'content-length': '5', 'x-custom-header': 'v1', cookie: 'theme=dark', host: 'gw.test:8080' },
        remoteAddr: '192.0.2.7',
      },
      () => new Response('created!', { status: 201, headers: { 'content-length': '8' } }),
    )
    expect(line).toBe(
      'req-1|POST|/items/42?page=3&q=a|/items/42|page=3&q=a|192.0.2.7|gw.test|http|gw.test:8080' +
        '|text/plain|5|item|http://up.test:9000|201|201|8' +
        '|42|3|v1|dark|',
    )
  })

  test('times: response_time and upstream_response_time in ms with three decimals; iso8601, unix, local', async () => {
    const line = await lineFor('$response_time $upstream_response_time $time_unix [$time_local] $time_iso8601', '/items/1')
    const [rt, urt, unix, ...rest] = line.split(' ')
    expect(rt).toMatch(/^\d+\.\d{3}$/)
    expect(urt).toMatch(/^\d+\.\d{3}$/)
    expect(Math.abs(Number(unix) - Date.now() / 1000)).toBeLessThan(5)
    expect(rest.join(' ')).toMatch(/^\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/)
  })

  test('what a request lacks is empty; an upstream status never received is 0 (Runway)', async () => {
    expect(await lineFor('[$route_id][$upstream_addr][$upstream_status][$http_x_none][$arg_none][$status]', '/nowhere')).toBe('[][][0][][][404]')
    expect(await lineFor('[$upstream_status][$content_length]', '/echo')).toBe('[0][0]')
  })

  test('a value cannot end a quoted column or start a new line: ", \\ and control characters become \\xHH', async () => {
    const line = await lineFor('"$http_user_agent" "$arg_q"', '/echo?q=a%0Ab%22c%5C', { headers: { 'user-agent': 'x" evil="1' } })
    expect(line).toBe('"x\\x22 evil=\\x221" "a\\x0Ab\\x22c\\x5C"')
    expect(line).not.toContain('\n')
  })

  test('credentials are [redacted]: Authorization, Cookie, token/session names, the api_key header and query parameter', async () => {
    const yaml = `logging: { format: '$http_authorization $http_cookie $cookie_session_id $cookie_theme $http_x_key $arg_key $arg_page' }
authentication: { api_key: { header: X-Key, query_param: key, keys: [{ key: k-1, client_id: c }] } }
${ROUTES}`
    const gw = await testGateway(yaml)
    await (await gw.request('/echo?key=k-1&page=2', { headers: { authorization: 'Bearer abc', cookie: 'session_id=s3; theme=dark', 'x-key': 'k-1' } })).arrayBuffer()
    expect(gw.accessLines).toEqual(['[redacted] [redacted] [redacted] dark [redacted] [redacted] 2'])
  })

  test('client certificate variables in Runway form; JWT claims as text', () => {
    const render = compileAccessTemplate('$client_cert_subject|$client_cert_fingerprint|$jwt_claim_sub|$jwt_claim_roles|$jwt_claim_none')
    const info = { remoteAddr: '192.0.2.1', clientCert: { subject: 'CN=svc', fingerprint256: 'AB:CD:0F', verified: true } }
    const ctx = { claims: { sub: 'u-1', roles: ['a', 'b'] } } as never
    expect(render(new Request('http://gw.test/'), info, ctx, 200, 0, 1)).toBe('CN=svc|abcd0f|u-1|[a b]|')
  })

  test('without a template the access log stays JSON', async () => {
    const gw = await testGateway(ROUTES)
    await (await gw.request('/echo')).arrayBuffer()
    expect(gw.accessLines).toEqual([])
    expect(gw.access).toHaveLength(1)
    expect(gw.access[0]).toMatchObject({ route: 'echo', status: 200 })
  })
})

/**
 * Every runtime difference in one table (runtime → feature → reason). Plain data, so both the
 * tests (skips.ts) and the global setup, which prints the table at start, can import it.
 */
export type Feature =
  | 'hostOverride'
  | 'adminListener'
  | 'cliOnce'
  | 'clientAbort'
  | 'activeChecks'
  | 'reload'
  | 'absoluteForm'
  | 'absoluteAuthority'
  | 'strictFieldSyntax'
  | 'pipelining'
  | 'expectContinue'
  | 'websocket'
  | 'websocketClose'
  | 'websocketTimers'

const WORKERD_LOCAL = "workerd's own HTTP server (local Miniflare, a development server) parses the request before the worker;"
const WS_BRIDGE =
  'a config with websocket routes serves its listeners on the node:http bridge (Bun.serve/Deno.serve cannot tunnel bytes), so the native run leaves those routes out; covered by the :node-http run'
const CLI_ONCE = 'CLI validation and the bundled example are runtime-independent; exercised in the node run'

export const SKIPS: Record<string, Partial<Record<Feature, string>>> = {
  node: {},
  bun: {
    cliOnce: CLI_ONCE,
    websocket: WS_BRIDGE,
    websocketClose: WS_BRIDGE,
    websocketTimers: WS_BRIDGE,
    absoluteAuthority: "Bun.serve rebuilds request.url from the Host field, so the target's authority never reaches the gateway",
    pipelining:
      'Bun.serve closes the connection when a request is pipelined behind one whose handler has not returned yet (oven-sh/bun#38128, open); recorded by its own test',
  },
  deno: {
    hostOverride: "Deno's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    cliOnce: CLI_ONCE,
    websocket: WS_BRIDGE,
    websocketClose: WS_BRIDGE,
    websocketTimers: WS_BRIDGE,
    absoluteAuthority:
      "Deno.serve keeps the authority in request.url but also the client's Host field, and the gateway routes by Host (docs/proxy.md)",
  },
  // PORTICO_LISTENER=node-http: Bun and Deno on the node:http bridge, which parses the request
  // itself (absolute-form and pipelining then hold); the fetch-side limits stay.
  'bun:node-http': {
    cliOnce: CLI_ONCE,
  },
  'deno:node-http': {
    hostOverride: "Deno's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    cliOnce: CLI_ONCE,
  },
  workerd: {
    websocketClose: 'the platform relays the upstream 101 itself: the worker never sees the close, so the access line is written at the handshake',
    websocketTimers: 'the platform relays the upstream 101 itself: read_timeout and max_lifetime cannot be enforced by the worker',
    hostOverride: "workerd's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    clientAbort:
      "observed here: under Miniflare a client disconnect does not cancel the worker's upstream subrequest (the local entry does not propagate it)",
    reload:
      'the config is bound into the worker at deploy time; a Worker reloads by redeploy or by `portico push-config` to KV (tested in test/integration/workerd-kv-config.test.ts)',
    adminListener: 'the platform owns the socket: no separate admin listener, admin is mounted under admin.path_prefix',
    cliOnce: CLI_ONCE,
    absoluteForm: `${WORKERD_LOCAL} it answers an absolute-form target with 500 (kj url parse) before the worker runs; on Cloudflare the edge parses requests`,
    absoluteAuthority: `${WORKERD_LOCAL} it answers an absolute-form target with 500 before the worker runs`,
    expectContinue: `${WORKERD_LOCAL} it sends no 100 Continue and a worker cannot, so clients send the body after their own wait (curl: 1 s); on Cloudflare the edge, not this local server, faces clients (not tested here)`,
    strictFieldSyntax: `${WORKERD_LOCAL} it trims whitespace before the colon, so the worker only ever sees a valid name`,
  },
}

/** The table's key: the runtime, with `:node-http` when its listener runs on the node:http bridge. */
export function targetOf(runtime: string, listener: string | undefined): string {
  return listener === 'node-http' && runtime !== 'node' ? `${runtime}:node-http` : runtime
}

/** One line per skipped feature, for the run's header. */
export function describeSkips(target: string): string[] {
  return Object.entries(SKIPS[target] ?? {}).map(([feature, reason]) => `skipped on ${target}: ${feature}: ${reason}`)
}

// The slice of the Workers runtime API Portico uses (no @cloudflare/workers-types dependency:
// its globals clash with the DOM and Bun types this repo checks against).
declare module 'cloudflare:sockets' {
  /** https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/ */
  export function connect(address: { hostname: string; port: number }, options?: { secureTransport?: 'off' | 'on' | 'starttls'; allowHalfOpen?: boolean }): import('../../src/core/runtime.ts').RuntimeSocket
}
declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: import('./workers-api.ts').DurableObjectState
    protected env: Env
    constructor(ctx: import('./workers-api.ts').DurableObjectState, env: Env)
  }
}

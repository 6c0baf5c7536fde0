// The slice of the Workers runtime API Portico uses (no @cloudflare/workers-types dependency:
// its globals clash with the DOM and Bun types this repo checks against).
declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: import('./workers-api.ts').DurableObjectState
    protected env: Env
    constructor(ctx: import('./workers-api.ts').DurableObjectState, env: Env)
  }
}

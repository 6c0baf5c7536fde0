/**
 * The edge-policy blocks (`ip_filter`, `cors`, `security_headers`, global or per route) as
 * data; the factories in src/policies/ validate and compile them.
 * @module
 */

export interface IpFilterConfig {
  /** Runway's switch; default true (a block that is written is on). */
  enabled: boolean
  /**
   * Runway's `order`. `deny_first` (default): a denied address is refused even when allowed.
   * `allow_first`: when the allow list is not empty it alone decides (deny is not consulted).
   */
  order: 'deny_first' | 'allow_first'
  /** CIDRs or single addresses; empty or omitted means every address that is not denied. */
  allow: string[]
  /** CIDRs or single addresses; deny wins over allow. */
  deny: string[]
}

export interface CorsConfig {
  enabled: boolean
  /** Exact origins (`https://app.example.com`), `"*"` for any, or the literal `"null"`. */
  allow_origins?: string[]
  /** Regular expressions, each anchored to the whole origin (`^(?:…)$`). */
  allow_origin_patterns?: string[]
  /** Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  allow_methods?: string[]
  /** Omitted: the names a preflight asks for are reflected (tokens only). */
  allow_headers?: string[]
  expose_headers?: string[]
  allow_credentials?: boolean
  /** Seconds a browser may reuse a preflight answer (Access-Control-Max-Age); omitted when unset. */
  max_age?: number
}

export interface HstsConfig {
  enabled?: boolean
  /** Seconds (RFC 6797 §6.1.1); default 31536000 (one year). 0 tells browsers to forget the host. */
  max_age?: number
  /** Default true (RFC 6797 §6.1.2): every subdomain must then serve HTTPS too. */
  include_subdomains?: boolean
  /** hstspreload.org opt-in; requires include_subdomains and max_age >= 31536000. */
  preload?: boolean
}

export interface SecurityHeadersConfig {
  enabled: boolean
  hsts?: HstsConfig
  /** Default true: `X-Content-Type-Options: nosniff` (Fetch #x-content-type-options-header). */
  content_type_options?: boolean
  /** Default `DENY` (RFC 7034); false omits the header. */
  frame_options?: 'DENY' | 'SAMEORIGIN' | false
  /** Runway's HSTS string, sent as written over HTTPS (`""`: none); `hsts` is Portico's structured form. */
  strict_transport_security?: string
  /** Runway's string: `nosniff` (the only value, also for `""`); `content_type_options` is Portico's switch. */
  x_content_type_options?: string
  /** Runway's string: `DENY` or `SAMEORIGIN` (`""`: none); `frame_options` is Portico's spelling. */
  x_frame_options?: string
  /** Passed through verbatim; not sent when unset. */
  content_security_policy?: string
  /** Default `no-referrer`; false omits the header. */
  referrer_policy?: string | false
  /** Passed through verbatim; not sent when unset. */
  permissions_policy?: string
  /**
   * Default true, which sends `X-XSS-Protection: 0`: the legacy XSS auditor is gone from current
   * browsers and, where it survives, its blocking mode can be abused to leak page state (OWASP
   * Secure Headers). A string is sent as written (`0`, `1`, `1; mode=block`); false omits it.
   */
  xss_protection?: boolean | string
}

/**
 * Path rewriting for the upstream request, compiled once per route: `strip_prefix`, then
 * `rewrite.regex` + `replacement` or `rewrite.prefix` (which replaces the matched prefix).
 * @module
 */

export interface RewriteOptions {
  strip_prefix: boolean
  rewrite?: { prefix?: string; regex?: string; replacement?: string }
}

/** (path, matchedPrefix) → upstream path; always starts with '/'. */
export type PathRewriter = (path: string, matched: string) => string

function trimPrefix(path: string, matched: string): string {
  if (matched === '' || matched === '/') return path
  const m = matched.endsWith('/') ? matched.slice(0, -1) : matched
  const rest = path.slice(m.length)
  return rest === '' ? '/' : rest
}

export function createPathRewriter(options: RewriteOptions): PathRewriter | null {
  const { strip_prefix: strip } = options
  const prefix = options.rewrite?.prefix
  const regexSource = options.rewrite?.regex
  if (regexSource) {
    const regex = new RegExp(regexSource)
    const replacement = options.rewrite?.replacement ?? ''
    return function regexRewrite(path, matched) {
      const p = strip ? trimPrefix(path, matched) : path
      const out = p.replace(regex, replacement)
      return out.startsWith('/') ? out : `/${out}`
    }
  }
  if (prefix !== undefined && prefix !== '') {
    const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
    return function prefixRewrite(path, matched) {
      const rest = trimPrefix(path, matched)
      return rest === '/' && !path.endsWith('/') ? base || '/' : base + rest
    }
  }
  if (strip) {
    return function stripPrefix(path, matched) {
      return trimPrefix(path, matched)
    }
  }
  return null
}

/** Joins a backend base path (`http://h/base`) with the request path without doubling '/'. */
export function joinBasePath(base: string, path: string): string {
  if (base === '' || base === '/') return path
  return base.endsWith('/') ? base + path.slice(1) : base + path
}

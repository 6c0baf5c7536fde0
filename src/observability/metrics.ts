/**
 * A small portable metrics registry: counters, gauges and histograms with labels, rendered in
 * the Prometheus text exposition format 0.0.4. Label values come from config (route ids,
 * backend URLs) and bounded sets (methods, status codes), never raw paths, so cardinality
 * stays bounded. Children are cached per label set: a request does a Map lookup, not a scan.
 * @module
 */

import type { MetricsRegistry } from '../core/metrics.ts'

type Kind = 'counter' | 'gauge' | 'histogram'

interface Family {
  name: string
  help: string
  kind: Kind
  labels: readonly string[]
  buckets?: readonly number[]
  children: Map<string, Child>
}

interface Child {
  values: readonly string[]
  value: number
  counts?: number[]
  sum?: number
}


const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`)
  if (extra) parts.push(extra)
  return parts.length ? `{${parts.join(',')}}` : ''
}

export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>()
  const collectors = new Set<() => void>()

  const family = (name: string, help: string, kind: Kind, labels: readonly string[], buckets?: readonly number[]): Family => {
    let f = families.get(name)
    if (f === undefined) {
      f = { name, help, kind, labels, buckets, children: new Map() }
      families.set(name, f)
    }
    return f
  }
  const child = (f: Family, values: readonly string[]): Child => {
    // One label (most per-request series: route) needs no joined key string.
    const key = values.length === 1 ? values[0] : values.join('\u0001')
    let c = f.children.get(key)
    if (c === undefined) {
      c = { values: [...values], value: 0 }
      if (f.kind === 'histogram') {
        c.counts = new Array<number>(f.buckets!.length).fill(0)
        c.sum = 0
      }
      f.children.set(key, c)
    }
    return c
  }

  return {
    counter(name, help, labels) {
      const f = family(name, help, 'counter', labels)
      return {
        inc(values, by = 1) {
          child(f, values).value += by
        },
      }
    },
    gauge(name, help, labels) {
      const f = family(name, help, 'gauge', labels)
      return {
        set(values, value) {
          child(f, values).value = value
        },
        add(values, by) {
          child(f, values).value += by
        },
      }
    },
    histogram(name, help, labels, buckets = DEFAULT_BUCKETS) {
      const f = family(name, help, 'histogram', labels, buckets)
      return {
        observe(values, value) {
          const c = child(f, values)
          c.value++
          c.sum! += value
          const bs = f.buckets!
          for (let i = 0; i < bs.length; i++) if (value <= bs[i]) c.counts![i]++
        },
      }
    },
    onCollect(fn) {
      collectors.add(fn)
      return () => collectors.delete(fn)
    },
    render() {
      for (const fn of collectors) fn()
      const out: string[] = []
      for (const f of families.values()) {
        out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.kind}`)
        for (const c of f.children.values()) {
          if (f.kind !== 'histogram') {
            out.push(`${f.name}${labelText(f.labels, c.values)} ${c.value}`)
            continue
          }
          for (const [i, b] of f.buckets!.entries()) {
            out.push(`${f.name}_bucket${labelText(f.labels, c.values, `le="${b}"`)} ${c.counts![i]}`)
          }
          out.push(`${f.name}_bucket${labelText(f.labels, c.values, 'le="+Inf"')} ${c.value}`)
          out.push(`${f.name}_sum${labelText(f.labels, c.values)} ${c.sum}`)
          out.push(`${f.name}_count${labelText(f.labels, c.values)} ${c.value}`)
        }
      }
      return `${out.join('\n')}\n`
    },
  }
}

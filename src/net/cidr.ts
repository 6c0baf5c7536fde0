/**
 * CIDR sets compiled once from config; `has(ip)` is a handful of integer compares.
 * @module
 */
import { type IpWords, parseIp } from './ip.ts'

interface Block {
  words: IpWords
  masks: IpWords
}

export interface CidrSet {
  readonly size: number
  has(ip: string): boolean
}

function maskWords(bits: number): IpWords {
  const out: IpWords = [0, 0, 0, 0]
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, bits - i * 32))
    out[i] = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0
  }
  return out
}

/** Throws `Error("<where>.<i>: …")` for an invalid entry so config errors name the key. */
export function compileCidrs(entries: readonly string[], where: string): CidrSet {
  const blocks: Block[] = entries.map((entry, i) => {
    const slash = entry.indexOf('/')
    const addr = slash === -1 ? entry : entry.slice(0, slash)
    const words = parseIp(addr.trim())
    if (words === null) throw new Error(`${where}.${i}: "${entry}" is not an IP address or CIDR`)
    const isV4 = !addr.includes(':')
    const max = isV4 ? 32 : 128
    const bits = slash === -1 ? max : Number(entry.slice(slash + 1))
    if (!Number.isInteger(bits) || bits < 0 || bits > max) {
      throw new Error(`${where}.${i}: "${entry}" has an invalid prefix length`)
    }
    const masks = maskWords(isV4 ? bits + 96 : bits)
    return { words: words.map((w, j) => (w & masks[j]) >>> 0) as IpWords, masks }
  })
  return {
    size: blocks.length,
    has(ip: string): boolean {
      if (blocks.length === 0) return false
      const w = parseIp(ip)
      if (w === null) return false
      for (const b of blocks) {
        if (
          ((w[0] & b.masks[0]) >>> 0) === b.words[0] &&
          ((w[1] & b.masks[1]) >>> 0) === b.words[1] &&
          ((w[2] & b.masks[2]) >>> 0) === b.words[2] &&
          ((w[3] & b.masks[3]) >>> 0) === b.words[3]
        ) {
          return true
        }
      }
      return false
    },
  }
}

/**
 * A fast 32-bit string hash with good avalanche (FNV-1a over UTF-16 code units, then the
 * murmur3 finaliser): balancers need keys spread evenly, not cryptographic strength.
 * @module
 */

export function hash32(input: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

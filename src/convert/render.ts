/**
 * The converted config as YAML text, with each note as a comment above the setting it is
 * about (or in the header when it has no place in the output), so the file explains itself.
 * @module
 */
import { Document, isMap, isScalar, isSeq, type Node, Scalar, visit } from 'yaml'
import type { ConvertNote, ConvertResult, Out } from './source.ts'

const WIDTH = 100

/** Word-wraps one note into comment lines (each gets a leading space after `#`). */
function commentLines(text: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(` ${line}`)
      line = `  ${word}`
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(` ${line}`)
  return lines
}

const noteText = (gateway: string, n: ConvertNote) => `${gateway}${n.path === '' ? '' : ` ${n.path}`}: ${n.message}`

/** The node a comment goes above: the key of a mapping entry, or the item of a list. */
function anchor(doc: Document, at: (string | number)[]): { commentBefore?: string | null } | null {
  if (at.length === 0) return null
  let node: unknown = doc.contents
  let target: { commentBefore?: string | null } | null = null
  for (const segment of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment)
      if (pair === undefined || !isScalar(pair.key)) return null
      target = pair.key
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      target = node.items[segment] as Node
      node = target
    } else return null
  }
  return target
}

function addComment(target: { commentBefore?: string | null }, lines: string[]): void {
  const text = lines.join('\n')
  target.commentBefore = target.commentBefore ? `${target.commentBefore}\n${text}` : text
}

/** `gateway` names the source in the header and in each comment ("gateway-pro routes.0.…: …"). */
export function renderConverted(gateway: string, out: Out, notes: ConvertNote[]): ConvertResult {
  const doc = new Document(out)
  // `:8080` is a plain string to YAML, but reads like a typo: quote it as the sources do.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.startsWith(':')) node.type = Scalar.QUOTE_DOUBLE
    },
  })
  const header = [` Converted from a ${gateway} config by \`portico convert --from ${gateway}\`.`]
  header.push(
    notes.length === 0
      ? ' Every setting mapped.'
      : ` ${notes.length} setting(s) did not map, or mapped with a difference: each is explained in a comment at the setting (or below).`,
  )
  const unplaced: string[] = []
  for (const n of notes) {
    const lines = commentLines(noteText(gateway, n))
    const target = n.at === undefined ? null : anchor(doc, n.at)
    if (target === null) unplaced.push(...lines)
    else addComment(target, lines)
  }
  if (unplaced.length > 0) header.push('', ...unplaced)
  doc.commentBefore = header.join('\n')
  return { yaml: doc.toString({ lineWidth: 0 }), notes }
}

/**
 * `portico convert --from gateway-pro|rust-flux FILE`: prints the equivalent Portico config on
 * stdout and, on stderr, one `FILE: note: path: message` line per setting that did not map.
 * The result is validated as `--validate` would (only unset environment variables are left to
 * serving time), so a config this prints is one Portico starts with.
 * @module
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatIssues } from '../../src/config/issues.ts'
import { parseConfig } from '../../src/config/load.ts'
import { CONVERTERS, ConvertError } from '../../src/convert/converters.ts'

const USAGE = `Usage: portico convert --from ${Object.keys(CONVERTERS).join('|')} FILE   print FILE as a Portico config (notes on stderr)`

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

const OPTIONS = { from: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2)
  }
}

export function runConvert(argv: string[]): void {
  const parsed = parse(argv)
  const { values, positionals } = parsed
  if (values.help) return void console.log(USAGE)
  const convert = values.from === undefined ? undefined : CONVERTERS[values.from]
  if (convert === undefined) fail(`--from must be one of ${Object.keys(CONVERTERS).join(', ')}\n${USAGE}`, 2)
  if (positionals.length !== 1) fail(`give one config file to convert\n${USAGE}`, 2)
  const file = resolve(positionals[0]!)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    fail(`${file}: cannot read file: ${(err as Error).message}`, 1)
  }
  let result: ReturnType<typeof convert>
  try {
    result = convert(text)
  } catch (err) {
    if (err instanceof ConvertError) fail(`${file}: ${err.message}`, 1)
    throw err
  }
  for (const n of result.notes) process.stderr.write(`${file}: note: ${n.path === '' ? '' : `${n.path}: `}${n.message}\n`)
  process.stdout.write(result.yaml)
  const checked = parseConfig(result.yaml, `${file} (converted)`, { env: process.env, readFile: (p) => readFileSync(p, 'utf8') })
  if (checked.ok) return
  // A variable the converted config names (JWT_SECRET, …) may be set only where it is served.
  const real = checked.issues.filter((i) => !/^environment variable \S+ is not set$/.test(i.message))
  if (real.length > 0) fail(formatIssues(real), 1)
}

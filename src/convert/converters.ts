/**
 * The gateways `portico convert --from NAME` reads, each a pure function from the source
 * config's text to Portico's YAML and the notes on what did not map.
 * @module
 */
import { convertGatewayPro } from './gateway-pro.ts'
import { convertRustFlux } from './rust-flux.ts'
import type { ConvertResult } from './source.ts'

export { ConvertError, type ConvertNote, type ConvertResult } from './source.ts'

export const CONVERTERS: Readonly<Record<string, (text: string) => ConvertResult>> = {
  'gateway-pro': convertGatewayPro,
  'rust-flux': convertRustFlux,
}

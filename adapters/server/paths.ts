/** Locations inside the installed package, independent of the caller's working directory. */
import { fileURLToPath } from 'node:url'

// Sources sit two levels down (adapters/server/paths.ts); the packed build one (dist/*.js).
const up = /\/dist\/[^/]+\.js$/.test(import.meta.url) ? '../' : '../../'

export const packageRoot = fileURLToPath(new URL(up, import.meta.url))
export const defaultConfigPath = fileURLToPath(new URL(`${up}configs/portico.yaml`, import.meta.url))
export const binPath = (name: string) => fileURLToPath(new URL(`${up}node_modules/.bin/${name}`, import.meta.url))

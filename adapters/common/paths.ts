/** Locations inside the installed package, independent of the caller's working directory. */
import { fileURLToPath } from 'node:url'

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
export const defaultConfigPath = fileURLToPath(new URL('../../configs/portico.yaml', import.meta.url))
export const binPath = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url))

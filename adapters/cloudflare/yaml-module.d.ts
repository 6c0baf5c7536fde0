// wrangler.toml `[[rules]] type = "Text"` and esbuild's text loader import YAML as a string.
declare module '*.yaml' {
  const text: string
  export default text
}

/**
 * `${NAME}` references to environment variables inside a config string (the transport URL), so a broker
 * password never has to be written into sepal.yaml. Values are percent-encoded: they land inside a URL.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

export interface ExpandedText {
  readonly value: string
  /** Names referenced but not set (or empty); the caller reports them without ever echoing a value. */
  readonly missing: readonly string[]
}

export function expandEnvReferences(text: string, env: Readonly<Record<string, string | undefined>>): ExpandedText {
  const missing: string[] = []
  const value = text.replace(REFERENCE, (_match, name: string) => {
    const found = env[name]
    if (found === undefined || found === '') {
      missing.push(name)
      return ''
    }
    return encodeURIComponent(found)
  })
  return { value, missing }
}

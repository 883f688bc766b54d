/**
 * A CloudEvent 1.0 in its JSON structured shape. Extensions sit at the top level, exactly as on the
 * wire, so a pattern matches the very object we serialise. Values from createEvent/parseEvent are frozen.
 */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0'
  readonly id: string
  readonly source: string
  readonly type: string
  readonly subject?: string
  readonly time?: string
  readonly datacontenttype?: string
  readonly dataschema?: string
  readonly data?: T
  /** Binary data, base64-encoded, as in the JSON format; never together with `data`. */
  readonly data_base64?: string
  readonly [extension: string]: unknown
}

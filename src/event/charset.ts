import { TextDecoder } from 'node:util'
import { EventValidationError, UnsupportedMediaTypeError, quote } from './event-errors.js'

// Charsets an HTTP body may declare. UTF-8 is the default (RFC 8259 for JSON); the others are cheap to support.
// `latin1` is decoded by Buffer, because TextDecoder maps that label to windows-1252.
const DECODERS = new Map<string, TextDecoder | 'latin1' | 'ascii'>()

function decoderFor(charset: string): TextDecoder | 'latin1' | 'ascii' | undefined {
  const known = DECODERS.get(charset)
  if (known !== undefined) return known
  let decoder: TextDecoder | 'latin1' | 'ascii' | undefined
  switch (charset) {
    case 'utf-8':
    case 'utf8':
      decoder = new TextDecoder('utf-8', { fatal: true })
      break
    case 'utf-16':
    case 'utf-16le':
    case 'utf-16be':
      decoder = new TextDecoder(charset, { fatal: true })
      break
    case 'iso-8859-1':
    case 'latin1':
      decoder = 'latin1'
      break
    case 'us-ascii':
    case 'ascii':
      decoder = 'ascii'
      break
    default:
      return undefined
  }
  DECODERS.set(charset, decoder)
  return decoder
}

/**
 * Turns body bytes into text by the declared charset (UTF-8 when none). An unknown charset is an
 * UnsupportedMediaTypeError (HTTP 415); bytes that are not valid in the charset are an EventValidationError.
 */
export function decodeBody(body: string | Uint8Array, charset: string | undefined, contentType: string, attribute: string): string {
  if (typeof body === 'string') return body
  const name = charset === undefined ? 'utf-8' : charset.toLowerCase()
  const decoder = decoderFor(name)
  if (decoder === undefined) {
    throw new UnsupportedMediaTypeError(contentType, `unsupported charset ${quote(charset)} in content type ${quote(contentType)}; send utf-8`)
  }
  if (decoder === 'latin1') return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')
  if (decoder === 'ascii') {
    for (let i = 0; i < body.length; i++) {
      if (body[i]! >= 0x80) throw invalidBytes(attribute, name, i)
    }
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')
  }
  try {
    return decoder.decode(body)
  } catch (error) {
    throw invalidBytes(attribute, name, undefined, error)
  }
}

function invalidBytes(attribute: string, charset: string, offset: number | undefined, cause?: unknown): EventValidationError {
  const where = offset === undefined ? '' : ` at byte ${offset}`
  return new EventValidationError(
    [{ attribute, message: `the body is not valid ${charset}${where}; send it in the charset the content type declares` }],
    { cause },
  )
}

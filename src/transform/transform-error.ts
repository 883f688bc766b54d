import { ErrorCodes, SepalError, type SepalErrorOptions } from '../errors.js'

/** An input transformer (InputPath / InputTransformer) that cannot work: thrown when it is compiled. */
export class TransformError extends SepalError {
  constructor(message: string, options: SepalErrorOptions = {}) {
    super(ErrorCodes.TRANSFORM_INVALID, message, options)
  }
}

// EventBridge input transformation: shape what a target receives (InputPath / InputTransformer / Input).
export { compileInputTransformer, MAX_INPUT_PATHS } from './compile-input-transformer.js'
export type { InputTransformer, InputTransformerTarget, TransformContext } from './compile-input-transformer.js'
export { TransformError } from './transform-error.js'

import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pino } from 'pino'
import { createEngineFromConfig } from '../../config/create-engine-from-config.js'
import { ConfigError, HandlerNotFoundError } from '../../config/errors.js'
import { loadConfig, resolveConfig, type LoadedConfig } from '../../config/load-config.js'
import { renderPrometheus } from '../../engine/metrics.js'
import { createEventBridgeApi, eventBridgeStoreFile } from '../../http/eventbridge/index.js'
import { authFromConfig, limitsFromConfig } from '../../http/auth/auth-config.js'
import { startHttpServer } from '../../http/server.js'
import { SepalError } from '../../errors.js'
import { ExitCode, type CliCommand, type CliIo } from '../command.js'
import { createProgram, integerOption, parseArguments } from './commander-io.js'
import { isLoopback, runBanner } from './run-banner.js'

const summary = 'run the engine and the HTTP ingress (from a sepal.yaml, or with no rules)'

interface RunOptions {
  transport?: string
  port?: number
  host?: string
  data?: string
  logLevel: string
}

/** `sepal run [config]`: engine + HTTP ingress until SIGINT/SIGTERM, then a clean stop. */
export const runCommand: CliCommand = {
  name: 'run',
  summary,
  async run(argv, io) {
    const program = createProgram('run', summary, io)
      .argument('[config]', 'sepal.yaml to run; without it: no rules, the embedded log, the ingress')
      .option('-p, --port <n>', 'HTTP port (overrides http.port; 0 picks a free one)', integerOption('--port', 0, 65535))
      .option('--host <host>', 'interface to listen on (overrides http.host; default 127.0.0.1)')
      .option('-d, --data <dir>', 'data directory for local state and the embedded log (default ./.sepal)')
      .option('--data-dir <dir>', 'the same as --data')
      .option('--transport <url>', 'transport URL (overrides transport:), e.g. memory: or sqlite:./log')
      .option('--log-level <level>', 'debug, info, warn or error', 'info')
    const early = parseArguments(program, argv)
    if (early !== undefined) return early
    const options = program.opts<RunOptions & { dataDir?: string }>()
    const data = options.data ?? options.dataDir
    const [file] = program.args

    let loaded: LoadedConfig
    try {
      const loadOptions = {
        cwd: io.cwd,
        env: io.env,
        ...(data === undefined ? {} : { dataDirectory: data }),
        ...(options.transport === undefined ? {} : { transport: options.transport }),
      }
      loaded = file === undefined ? await resolveConfig({}, loadOptions) : await loadConfig(file, loadOptions)
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof HandlerNotFoundError)) throw error
      io.stderr.write(`sepal run: ${error.message}\n`)
      return ExitCode.usage
    }
    return serve(loaded, options, io)
  },
}

async function serve(loaded: LoadedConfig, options: RunOptions, io: CliIo): Promise<number> {
  const logger = pino({ level: options.logLevel, base: null }, { write: (line: string) => void io.stderr.write(line) })
  await mkdir(loaded.dataDirectory, { recursive: true })
  // Handlers that keep local files (the shop example's outbox, stock table) find the folder here.
  process.env['SEPAL_DATA_DIR'] = loaded.dataDirectory

  const stopping = stopSignal(io)
  const { engine, transport, closeStores } = await createEngineFromConfig(loaded, { logger })
  // Rules made through the EventBridge API come back from the data directory before consuming starts.
  const eventBridge = createEventBridgeApi({ engine, transport, topic: loaded.engineOptions.topic, storeFile: eventBridgeStoreFile(loaded.dataDirectory), logger })
  let server: Awaited<ReturnType<typeof startHttpServer>> | undefined
  let disposeReload = (): void => {}
  try {
    await engine.start()
    const host = options.host ?? loaded.http.host
    const port = options.port ?? loaded.http.port
    const auth = authFromConfig(loaded.config.auth, loaded.file === undefined ? io.cwd : dirname(loaded.file), io.env)
    if (auth === undefined && !isLoopback(host)) {
      io.stderr.write(
        `sepal run: refusing to listen on ${host} without authentication: anyone who can reach it could publish, read and configure.\n` +
          'Configure API keys under auth: in sepal.yaml (see docs/security.md), say auth: none to run open on purpose, or use --host 127.0.0.1.\n',
      )
      return ExitCode.usage
    }
    try {
      server = await startHttpServer({
        transport,
        topic: loaded.engineOptions.topic,
        port,
        host,
        maxEventBytes: loaded.http.maxEventBytes,
        webhooks: loaded.webhooks,
        logger,
        metrics: () => renderPrometheus(engine.metrics),
        eventBridge,
        ...(auth === undefined ? {} : { auth }),
        limits: limitsFromConfig(loaded.config.limits),
        ...(loaded.config.limits.maxBatchEvents === undefined ? {} : { maxBatchEvents: loaded.config.limits.maxBatchEvents }),
        ...(loaded.config.limits.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: loaded.config.limits.maxHeaderBytes }),
      })
    } catch (error) {
      if (error instanceof SepalError) {
        io.stderr.write(`sepal run: ${error.message}\n`)
        return ExitCode.usage
      }
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      io.stderr.write(`sepal run: port ${port} on ${host} is already in use; stop what listens there or pick another with --port (0 picks a free one)\n`)
      return ExitCode.failure
    }
    if (auth === undefined) {
      io.stderr.write('\nWARNING: authentication is OFF: any local process can publish, read and configure. Add API keys under auth: in sepal.yaml (see docs/security.md).\n\n')
    } else if (auth === 'none' && !isLoopback(host)) {
      io.stderr.write(
        `\nWARNING: listening on ${host}, not loopback, with auth: none: anyone who can reach this machine can publish, read and configure.\n` +
          'Configure API keys under auth: in sepal.yaml, or use --host 127.0.0.1.\n\n',
      )
    }
    const reloadKeys = (): void => {
      try {
        server?.reloadKeys()
        logger.info('API keys reloaded')
      } catch (error) {
        logger.error({ err: error }, 'reloading API keys failed; the previous keys stay in use')
      }
    }
    // The real binary rotates keys on SIGHUP as well as on the reload timer.
    if (io.signal === undefined) process.on('SIGHUP', reloadKeys)
    disposeReload = () => process.off('SIGHUP', reloadKeys)
    io.stdout.write(runBanner({ url: server.url, rules: loaded.engineOptions.rules, configured: loaded.config.rules, transport: loaded.transport.url, topic: loaded.engineOptions.topic, dataDirectory: loaded.dataDirectory }))
    await stopping.promise
    io.stdout.write('stopping: finishing in-flight events...\n')
  } finally {
    stopping.dispose()
    disposeReload()
    await server?.close()
    await engine.stop({ drainTimeoutMs: 5_000 })
    await transport.close()
    await closeStores()
    eventBridge.close()
  }
  io.stdout.write('stopped\n')
  return ExitCode.ok
}

/** Resolves on io.signal; the real binary gets SIGINT/SIGTERM here when it passes no signal of its own. */
function stopSignal(io: CliIo): { promise: Promise<void>; dispose(): void } {
  let dispose = (): void => {}
  const promise = new Promise<void>((resolve) => {
    if (io.signal !== undefined) {
      if (io.signal.aborted) return resolve()
      const onAbort = (): void => resolve()
      io.signal.addEventListener('abort', onAbort, { once: true })
      dispose = () => io.signal?.removeEventListener('abort', onAbort)
      return
    }
    const onSignal = (): void => resolve()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    dispose = () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  })
  return { promise, dispose: () => dispose() }
}

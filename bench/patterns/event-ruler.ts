/**
 * Drives the Java harness in ./event-ruler: builds it with Maven once per run, then starts one JVM per rule set
 * and input form. The JVM's start and JIT warm-up stay outside its timed repetitions.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { TimingOptions } from './measure.js'
import type { WorkerResult } from './worker.js'

const PROJECT_DIR = fileURLToPath(new URL('./event-ruler/', import.meta.url))
const JAR = `${PROJECT_DIR}target/event-ruler-bench.jar`

/** Builds the harness; returns why it cannot run, or undefined when it is ready. */
export function buildEventRuler(): string | undefined {
  try {
    execFileSync('mvn', ['-q', '-B', 'package'], { cwd: PROJECT_DIR, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim().slice(-500) : String(error)
    return `'mvn -q package' failed in bench/patterns/event-ruler: ${detail || 'is Maven installed?'}`
  }
  return existsSync(JAR) ? undefined : 'the Maven build left no target/event-ruler-bench.jar'
}

export function runEventRuler(input: 'text' | 'tree', rulesFile: string, eventsFile: string, timing: TimingOptions):
  WorkerResult {
  const args = [
    '-jar', JAR, `rules=${rulesFile}`, `events=${eventsFile}`, `input=${input}`,
    `warmupMs=${timing.warmupMs}`, `repetitionMs=${timing.repetitionMs}`,
    `repetitions=${timing.repetitions}`, `verifyEvents=${timing.verifyEvents}`, `verifyBudgetMs=${timing.verifyBudgetMs}`,
  ]
  const child = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
  if (child.status !== 0) {
    throw new Error(`event-ruler harness exited with ${child.status}: ${(child.stderr || child.error?.message || '').slice(-800)}`)
  }
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as WorkerResult
}

// A benchmark's server in a process of its own (node with tsx), so the load generator does not share its
// event loop: the child reports `{ port }` once listening and exits when sent 'stop'.
import { fork, type ChildProcess } from 'node:child_process'

/** Forks `script` with `args` and waits for its port; `what` names it if it dies before listening. */
export async function startServer(script: string, args: readonly string[], what: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(script, [...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`the ${what} exited with ${code} before listening`)))
  })
  return { child, port }
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.send('stop')
  await exited
}

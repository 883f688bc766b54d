import Database from 'better-sqlite3'

/** A target as PutTargets took it; only the fields sepal acts on are kept. */
export interface ApiTarget {
  readonly Id: string
  readonly Arn: string
  readonly Input?: string
  readonly InputPath?: string
  readonly InputTransformer?: { readonly InputPathsMap?: Readonly<Record<string, string>>; readonly InputTemplate: string }
}

export interface ApiRule {
  readonly bus: string
  readonly name: string
  /** The pattern's JSON text, exactly as PutRule got it (DescribeRule gives it back). */
  readonly eventPattern: string
  readonly state: 'ENABLED' | 'DISABLED'
  readonly description?: string
  readonly targets: readonly ApiTarget[]
}

/** Where rules and buses created through the EventBridge API live between runs. */
export interface ApiStore {
  buses(): string[]
  saveBus(name: string): void
  /** Deletes the bus and its rules. */
  deleteBus(name: string): void
  rules(): ApiRule[]
  saveRule(rule: ApiRule): void
  deleteRule(bus: string, name: string): void
  close(): void
}

/** One SQLite file (or `:memory:`); rules are rows of JSON so a new field needs no migration. */
export function openApiStore(file: string): ApiStore {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec(`
    CREATE TABLE IF NOT EXISTS eventbridge_buses (name TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS eventbridge_rules (
      bus TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (bus, name)
    );`)
  const listBuses = db.prepare<[], { name: string }>('SELECT name FROM eventbridge_buses ORDER BY name')
  const insertBus = db.prepare<[string]>('INSERT OR IGNORE INTO eventbridge_buses (name) VALUES (?)')
  const removeBus = db.prepare<[string]>('DELETE FROM eventbridge_buses WHERE name = ?')
  const removeBusRules = db.prepare<[string]>('DELETE FROM eventbridge_rules WHERE bus = ?')
  const listRules = db.prepare<[], { definition: string }>('SELECT definition FROM eventbridge_rules ORDER BY bus, name')
  const upsertRule = db.prepare<[string, string, string]>(
    'INSERT INTO eventbridge_rules (bus, name, definition) VALUES (?, ?, ?) ON CONFLICT (bus, name) DO UPDATE SET definition = excluded.definition',
  )
  const removeRule = db.prepare<[string, string]>('DELETE FROM eventbridge_rules WHERE bus = ? AND name = ?')
  const deleteBusAndRules = db.transaction((name: string) => {
    removeBusRules.run(name)
    removeBus.run(name)
  })
  return {
    buses: () => listBuses.all().map((row) => row.name),
    saveBus: (name) => void insertBus.run(name),
    deleteBus: (name) => deleteBusAndRules(name),
    rules: () => listRules.all().map((row) => JSON.parse(row.definition) as ApiRule),
    saveRule: (rule) => void upsertRule.run(rule.bus, rule.name, JSON.stringify(rule)),
    deleteRule: (bus, name) => void removeRule.run(bus, name),
    close: () => db.close(),
  }
}

/**
 * The type tests (`packages/*\/test/types`) compiled again without their `@ts-expect-error`
 * directives. Run as a script (`node --import tsx test/support/typeErrors.ts`), it prints their
 * errors by `file:line` (0-based line) as JSON: compiling takes a while, and a test worker that
 * compiled itself could not answer vitest meanwhile.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

export const root = fileURLToPath(new URL("../..", import.meta.url))

export const typeTests: ReadonlyArray<string> = fs.readdirSync(path.join(root, "packages")).flatMap((name) => {
  const folder = path.join(root, "packages", name, "test", "types")
  return fs.existsSync(folder)
    ? fs.readdirSync(folder).filter((file) => file.endsWith(".ts")).map((file) => path.join(folder, file))
    : []
})

/** A directive's line (0-based) and the message it announces for the next line. */
export interface Expected {
  readonly file: string
  readonly line: number
  readonly message: string
}

export const expectedIn = (file: string): ReadonlyArray<Expected> =>
  fs.readFileSync(file, "utf8").split("\n").flatMap((text, line) => {
    const match = /^\s*\/\/ @ts-expect-error (.+)$/.exec(text)
    return match === null ? [] : [{ file, line, message: match[1]!.trim() }]
  })

export const errorsKey = (file: string, line: number): string => `${file}:${line}`

const compile = (): Record<string, Array<string>> => {
  const config = ts.readConfigFile(path.join(root, "tsconfig.base.json"), ts.sys.readFile).config
  const options: ts.CompilerOptions = {
    ...ts.parseJsonConfigFileContent(config, ts.sys, root).options,
    noEmit: true,
    noErrorTruncation: true,
    // the sources, as pnpm check sees them, rather than a build that may be stale
    paths: {
      "@fxchain/core": [path.join(root, "packages/core/src/index.ts")],
      "@fxchain/combinators": [path.join(root, "packages/combinators/src/index.ts")],
      "@fxchain/adapters": [path.join(root, "packages/adapters/src/index.ts")],
      "@fxchain/adapters/*": [path.join(root, "packages/adapters/src/*.ts")]
    }
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile
  host.readFile = (file) => {
    const text = readFile(file)
    return text !== undefined && typeTests.includes(path.resolve(file))
      ? text.replaceAll("@ts-expect-error", "@no-expect-error")
      : text
  }
  const program = ts.createProgram(typeTests, options, host)
  const errors: Record<string, Array<string>> = {}
  for (const file of typeTests) {
    const source = program.getSourceFile(file)!
    for (const diagnostic of program.getSemanticDiagnostics(source)) {
      const key = errorsKey(file, source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line)
      errors[key] = [...(errors[key] ?? []), ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")]
    }
  }
  return errors
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(JSON.stringify(compile()))

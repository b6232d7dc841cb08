/**
 * The type tests (`packages/*\/test/types`) are checked by `pnpm check`, where each
 * `// @ts-expect-error` only says that the next line does not compile. Here they compile again
 * without the directives, and the error on each such line must say what the directive's comment
 * says: the message a user reads, naming the step and both types.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const directive = "@ts-expect-error"
const disabled = "@no-expect-error"

const typeTests = fs.readdirSync(path.join(root, "packages")).flatMap((name) => {
  const folder = path.join(root, "packages", name, "test", "types")
  return fs.existsSync(folder)
    ? fs.readdirSync(folder).filter((file) => file.endsWith(".ts")).map((file) => path.join(folder, file))
    : []
})

interface Expected {
  readonly file: string
  readonly line: number
  readonly message: string
}

const expectedIn = (file: string): ReadonlyArray<Expected> =>
  fs.readFileSync(file, "utf8").split("\n").flatMap((text, line) => {
    const match = /^\s*\/\/ @ts-expect-error (.+)$/.exec(text)
    return match === null ? [] : [{ file, line: line + 1, message: match[1]!.trim() }]
  })

/** The errors the type tests have without their directives, by file and line (0-based). */
const compile = (): ReadonlyMap<string, ReadonlyArray<string>> => {
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
    return text !== undefined && typeTests.includes(path.resolve(file)) ? text.replaceAll(directive, disabled) : text
  }
  const program = ts.createProgram(typeTests, options, host)
  const errors = new Map<string, Array<string>>()
  for (const file of typeTests) {
    const source = program.getSourceFile(file)!
    for (const diagnostic of program.getSemanticDiagnostics(source)) {
      const { line } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      const key = `${file}:${line}`
      errors.set(key, [...(errors.get(key) ?? []), ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")])
    }
  }
  return errors
}

describe("type tests", () => {
  it("each mismatch is a compile error on its line, saying what its directive says", () => {
    const expected = typeTests.flatMap(expectedIn)
    expect(expected.length).toBeGreaterThan(0)
    const errors = compile()
    const wrong = expected.flatMap(({ file, line, message }) => {
      const found = errors.get(`${file}:${line}`) ?? []
      return found.some((error) => error.includes(message))
        ? []
        : [{ at: `${path.relative(root, file)}:${line + 1}`, expected: message, found }]
    })
    expect(wrong).toEqual([])
  }, 180_000)
})

/**
 * The type tests (`packages/*\/test/types`) are checked by `pnpm check`, where each
 * `// @ts-expect-error` only says that the next line does not compile. Here they compile again
 * without the directives, and the error on each such line must say what the directive's comment
 * says: the message a user reads, naming the step and both types.
 */
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { errorsKey, expectedIn, root, typeTests } from "./support/typeErrors.js"

describe("type tests", () => {
  it("each mismatch is a compile error on its line, saying what its directive says", async () => {
    const expected = typeTests.flatMap(expectedIn)
    expect(expected.length).toBeGreaterThan(0)
    const script = fileURLToPath(new URL("support/typeErrors.ts", import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024
    })
    const errors: Record<string, ReadonlyArray<string>> = JSON.parse(stdout)
    const wrong = expected.flatMap(({ file, line, message }) => {
      const found = errors[errorsKey(file, line + 1)] ?? []
      return found.some((error) => error.includes(message))
        ? []
        : [{ at: `${path.relative(root, file)}:${line + 2}`, expected: message, found }]
    })
    expect(wrong).toEqual([])
  }, 300_000)
})

import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))

export default defineConfig({
  resolve: {
    // tests run against the packages' sources, not their build
    alias: [
      { find: /^@fxchain\/(core|combinators|adapters)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@fxchain\/adapters\/(langchain|otel)$/, replacement: `${root}packages/adapters/src/$1.ts` }
    ]
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    // type tests: `pnpm check` compiles them, test/typeErrors.test.ts checks their messages
    exclude: [...configDefaults.exclude, "packages/*/test/types/**"],
    testTimeout: 30_000
  }
})

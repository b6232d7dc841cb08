import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))

/** Installs and builds a fresh copy of the repository: it runs after the others, alone (`pnpm test`). */
const install = "test/workspaceApp.test.ts"

export default defineConfig({
  resolve: {
    // tests run against the packages' sources, not their build
    alias: [
      { find: /^@fxchain\/(core|combinators|adapters)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@fxchain\/adapters\/(langchain|otel|cluster)$/, replacement: `${root}packages/adapters/src/$1.ts` }
    ]
  },
  test: {
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
          // type tests: `pnpm check` compiles them, test/typeErrors.test.ts checks their messages
          exclude: [...configDefaults.exclude, "packages/*/test/types/**", install]
        }
      },
      { extends: true, test: { name: "install", include: [install] } }
    ]
  }
})

import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))

export default defineConfig({
  resolve: {
    // tests run against the packages' sources, not their build
    alias: [
      { find: /^@fxchain\/(core|combinators|adapters)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@fxchain\/adapters\/(langchain|otel|cluster)$/, replacement: `${root}packages/adapters/src/$1.ts` }
    ]
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 30_000
  }
})

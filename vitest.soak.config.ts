import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

// `pnpm test:soak`: the reliability suites at full size (FXCHAIN_SOAK=1, set by its runner) and the
// soak-only heap checks, one file at a time, each in a process of its own with gc() exposed
export default defineConfig({
  ...(base.resolve === undefined ? {} : { resolve: base.resolve }),
  test: {
    include: ["packages/adapters/test/reliability/**/*.{test,soak}.ts"],
    pool: "forks",
    poolOptions: { forks: { execArgv: ["--expose-gc"], maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    testTimeout: 3_600_000
  }
})

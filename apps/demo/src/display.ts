/**
 * The terminal the demo writes to (`@effect/platform`'s `Terminal`: stdout). On a TTY it keeps a
 * few live lines at the bottom, redrawn in place, with permanent lines printed above them; on
 * anything else (a pipe, a file, CI) it only prints lines, and the live lines are not shown.
 *
 * @since 0.1.0
 */
import * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { colors, type Palette, plain } from "./report.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Display {
  /** Whether stdout is a terminal: live lines and colors. */
  readonly interactive: boolean
  /** Columns of the terminal (100 when it is not one). */
  readonly width: number
  readonly palette: Palette
  /** Replaces the live lines (nothing when not interactive). */
  readonly live: (lines: ReadonlyArray<string>) => Effect.Effect<void>
  /** Prints a text and a line break above the live lines. */
  readonly print: (text: string) => Effect.Effect<void>
  /** Writes a text as it is, where the cursor is (a streamed token, say). */
  readonly write: (text: string) => Effect.Effect<void>
  /** Removes the live lines. */
  readonly clear: Effect.Effect<void>
}

const hideCursor = "\x1b[?25l"
const showCursor = "\x1b[?25h"

/**
 * A display on the `Terminal` of the context, for the life of the scope: when the scope closes,
 * the live lines are removed and the cursor shown again (also after an interruption). Colors
 * only on a terminal, and not when `NO_COLOR` is set.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Display, never, Terminal.Terminal | Scope.Scope> = Effect.gen(function*() {
  const terminal = yield* Terminal.Terminal
  const interactive = yield* terminal.isTTY
  const columns = yield* terminal.columns
  const noColor = yield* Effect.orElseSucceed(Config.option(Config.string("NO_COLOR")), () => Option.none())
  // a broken pipe must not fail the run: what cannot be shown is dropped
  const display = (text: string) => Effect.ignore(terminal.display(text))
  let liveCount = 0
  let liveText = ""
  const erase = () => liveCount === 0 ? "" : `\r${liveCount > 1 ? `\x1b[${liveCount - 1}A` : ""}\x1b[J`
  const self: Display = {
    interactive,
    width: interactive && columns > 0 ? columns : 100,
    palette: interactive && Option.isNone(noColor) ? colors : plain,
    live: (lines) =>
      interactive
        ? Effect.suspend(() => {
          const text = erase() + lines.join("\n")
          liveCount = lines.length
          liveText = lines.join("\n")
          return display(text)
        })
        : Effect.void,
    print: (text) =>
      Effect.suspend(() => display(liveCount === 0 ? `${text}\n` : `${erase()}${text}\n${liveText}`)),
    write: (text) => display(text),
    clear: Effect.suspend(() => {
      const text = erase()
      liveCount = 0
      liveText = ""
      return text === "" ? Effect.void : display(text)
    })
  }
  if (interactive) {
    yield* display(hideCursor)
    yield* Effect.addFinalizer(() => Effect.zipRight(self.clear, display(showCursor)))
  }
  return self
})

/**
 * Text cut into pieces as a model streams it, and the check that a partial JSON value is the
 * final one with parts still missing.
 */
import { isDeepStrictEqual } from "node:util"

/** Cuts `text` at the given points (taken modulo its length + 1) into pieces, in order; "" is one piece. */
export const cut = (text: string, cuts: ReadonlyArray<number>): Array<string> => {
  if (text === "") return [""]
  const points = [...new Set([0, ...cuts.map((at) => at % (text.length + 1)), text.length])].sort((a, b) => a - b)
  return points.slice(1).map((point, index) => text.slice(points[index], point))
}

/** Whether a partial value is the final one with parts missing: strings cut short, arrays and records incomplete. */
export const isConsistent = (partial: unknown, final: unknown): boolean => {
  if (typeof partial === "string") return typeof final === "string" && final.startsWith(partial)
  if (Array.isArray(partial)) {
    return Array.isArray(final) && partial.length <= final.length &&
      partial.every((item, index) => isDeepStrictEqual(item, final[index]))
  }
  if (typeof partial === "object" && partial !== null) {
    return typeof final === "object" && final !== null && !Array.isArray(final) &&
      Object.entries(partial).every(([key, value]) =>
        Object.hasOwn(final, key) && isConsistent(value, (final as Record<string, unknown>)[key])
      )
  }
  return Object.is(partial, final)
}

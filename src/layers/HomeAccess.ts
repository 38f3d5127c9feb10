import { Data, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

/** Exit codes of the home's failures (sysexits.h): it cannot be created, or we may not write it. */
export const HomeExit = { cantCreate: 73, noPerm: 77 } as const

/** `$AGENC_HOME` or a file in it cannot be created or written: names the file and what is wrong. */
export class HomeError extends Data.TaggedError("HomeError")<{
  readonly message: string
  readonly file: string
  /** 73 (EX_CANTCREAT) or 77 (EX_NOPERM). */
  readonly code: number
}> {}

const codeOf = (code: string | undefined) => code === "EACCES" || code === "EPERM" ? HomeExit.noPerm : HomeExit.cantCreate

/**
 * Creates `dir` (mode 0700) and its missing parents one at a time. Node's own `mkdir -p` never returns
 * on some paths (`/proc/x`: every level answers ENOENT); this one stops at the first level that fails.
 */
export const ensureDirectory = (dir: string): Effect.Effect<void, HomeError> =>
  Effect.suspend(() => {
    const missing: Array<string> = []
    for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
      missing.unshift(at)
      if (path.dirname(at) === at) break
    }
    for (const level of missing) {
      try {
        fs.mkdirSync(level, { mode: 0o700 })
      } catch (cause) {
        const code = errnoCode(cause)
        if (code === "EEXIST") continue
        return Effect.fail(new HomeError({ file: level, code: codeOf(code), message: `cannot create ${level}: ${code === "EACCES" ? "permission denied" : errorMessage(cause).replace(/^\w+: /, "")}` }))
      }
    }
    if (!fs.statSync(dir).isDirectory()) {
      return Effect.fail(new HomeError({ file: dir, code: HomeExit.cantCreate, message: `${dir} is not a directory` }))
    }
    return Effect.void
  })

/** Fails unless this process may write `file` (or create it in its folder): a read-only or foreign-owned database. */
export const checkWritable = (file: string): Effect.Effect<void, HomeError> =>
  Effect.suspend(() => {
    const target = fs.existsSync(file) ? file : path.dirname(file)
    try {
      fs.accessSync(target, fs.constants.W_OK)
      return Effect.void
    } catch (cause) {
      const code = errnoCode(cause)
      const owner = fs.statSync(target).uid
      const whose = owner === process.getuid?.() ? "" : ` (owned by uid ${owner}, this is uid ${process.getuid?.()})`
      return Effect.fail(new HomeError({
        file: target,
        code: code === "EROFS" ? HomeExit.cantCreate : HomeExit.noPerm,
        message: `cannot write ${target}: ${code === "EROFS" ? "read-only file system" : "permission denied"}${whose}`
      }))
    }
  })

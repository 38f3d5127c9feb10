import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { tempDir } from "../layers/CliProcess.js"
import { readmeBlock, runCommand as run } from "../layers/Readme.js"

const repo = path.resolve(import.meta.dirname, "../..")

/** A clean checkout: the tracked files only (no dist/), sharing this worktree's node_modules. */
const cleanCheckout = (dir: string) => {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: repo, encoding: "utf8" }).split("\0").filter((f) => f !== "")
  for (const file of files) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true })
    if (fs.existsSync(path.join(repo, file))) fs.copyFileSync(path.join(repo, file), path.join(dir, file))
  }
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"))
}

/**
 * `npm` for the README run: the real npm, except that `npm install` skips install scripts and takes the
 * better-sqlite3 binary this worktree already built. Compiling it from source (its prebuilds come from
 * GitHub, which this machine cannot reach) takes minutes; everything else is the real install.
 */
const npmShim = (dir: string) => {
  const npm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim()
  const binary = path.join(repo, "node_modules/better-sqlite3/build/Release/better_sqlite3.node")
  fs.writeFileSync(path.join(dir, "npm"), `#!/usr/bin/env bash
if [ "$1" = install ]; then
  "${npm}" "$@" --ignore-scripts --prefer-offline --no-audit --no-fund || exit $?
  mkdir -p node_modules/better-sqlite3/build/Release && cp "${binary}" node_modules/better-sqlite3/build/Release/
else
  exec "${npm}" "$@"
fi
`, { mode: 0o755 })
}

describe("the package", () => {
  it.live("packs from a clean checkout, installs into an empty folder, and runs a scaffolded action through the daemon, as the README says", () =>
    Effect.gen(function*() {
      const work = yield* tempDir
      const checkout = path.join(work, "agenc")
      cleanCheckout(checkout)
      const bin = path.join(work, "bin")
      fs.mkdirSync(bin)
      npmShim(bin)
      // The block uses fixed paths under /tmp, as a reader would; start from nothing.
      for (const dir of ["/tmp/agenc-actions", "/tmp/my-agent"]) fs.rmSync(dir, { recursive: true, force: true })
      const script = readmeBlock("custom-action-quickstart")
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => spawnSync(process.execPath, ["/tmp/my-agent/node_modules/agenc/dist/cli.js", "daemon", "stop"], { env: { ...process.env, AGENC_HOME: "/tmp/agenc-actions" } })))
      const result = yield* run("bash", ["-euo", "pipefail", "-c", script], {
        cwd: checkout,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", AGENC_HOME: "", npm_config_cache: path.join(os.homedir(), ".npm") }
      })
      assert.strictEqual(result.status, 0, `${result.stdout}\n${result.stderr}`)
      assert.include(result.stdout, "dry run: would send to console, file:\nhello from hello\n")
      assert.include(result.stderr, "hello: hello from hello", "the real run delivered to the console channel (stderr)")
      assert.match(result.stdout, /^notified\n\s+-> console: delivered\n\s+-> file: delivered$/m)
      assert.match(result.stdout, /^\d+\n/m, "daemon start printed the PID")
      assert.match(result.stdout, /^quiet$/m, "the daemon ran the action: it had greeted already")
      assert.match(result.stdout, /^stopped \(PID \d+\)$/m)
      const outbox = fs.readFileSync("/tmp/agenc-actions/outbox.jsonl", "utf8").trim().split("\n").map((line) => JSON.parse(line) as { action: string })
      assert.deepStrictEqual(outbox.map((record) => record.action), ["hello"])

      // What the tarball holds: dist, examples and scripts, no source maps.
      const tgz = path.join(checkout, "agenc-0.1.0.tgz")
      const files = execFileSync("tar", ["tzf", tgz], { encoding: "utf8" }).trim().split("\n")
      for (const file of ["package/dist/cli.js", "package/dist/index.js", "package/dist/index.d.ts", "package/examples/http-change-notifier.js", "package/scripts/install-systemd-service.sh", "package/README.md"]) {
        assert.include(files, file)
      }
      assert.deepStrictEqual(files.filter((file) => file.endsWith(".map")), [])
      const installed = JSON.parse(fs.readFileSync("/tmp/my-agent/node_modules/agenc/package.json", "utf8")) as { peerDependencies: Record<string, string> }
      assert.deepStrictEqual(installed.peerDependencies, { effect: "^3.22.4" })
      assert.match(fs.readFileSync("/tmp/my-agent/node_modules/effect/package.json", "utf8"), /"version": "3\.\d+/)
      assert.isBelow(Number(execFileSync("du", ["-sk", "--exclude=*.v8cache", "/tmp/my-agent/node_modules/agenc"], { encoding: "utf8" }).split("\t")[0]), 8_000, "unpacked under 8 MB (it was 13.8 MB, 10.8 MB of it a source map); the V8 code cache the first run writes beside the bundle is not part of the package")
    }).pipe(Effect.scoped), 600_000)

  it.live("a module whose folder resolves another major of effect is a config error naming both versions", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.mkdirSync(path.join(dir, "node_modules/effect"), { recursive: true })
      fs.writeFileSync(path.join(dir, "node_modules/effect/package.json"), JSON.stringify({ name: "effect", version: "4.0.0", type: "module" }))
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }))
      fs.writeFileSync(path.join(dir, "act.js"), "export default { name: 'act', description: 'x', execute: () => null }\n")
      fs.writeFileSync(path.join(dir, "gateway.json"), JSON.stringify({ heartbeat: { actions: [{ name: "act", schedule: "@hourly", module: "./act.js" }] } }))
      const result = spawnSync(process.execPath, [path.join(repo, "dist/cli.js"), "config", "validate"], { env: { ...process.env, AGENC_HOME: dir }, encoding: "utf8" })
      assert.strictEqual(result.status, 78, result.stderr)
      assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr)
      assert.include(result.stderr, "resolves effect 4.0.0")
      assert.include(result.stderr, "agenc needs effect ^3.22")
    }).pipe(Effect.scoped))
})

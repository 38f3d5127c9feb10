import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { quote, systemdUnit } from "../../src/daemon/SystemdUnit.js"
import { runCli, tempDir } from "../layers/CliProcess.js"

const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0

describe("systemd unit", () => {
  it("quotes words with spaces, quotes, % and $", () => {
    assert.strictEqual(quote(`/a b/"c"%d$e`), `"/a b/\\"c\\"%%d$$e"`)
  })

  it("has the required directives", () => {
    const unit = systemdUnit({ user: true, node: "/usr/bin/node", cli: "/x/cli.js", home: "/h", watchdogSec: 60, stopTimeoutSec: 10 })
    for (const line of ["Type=notify", "Restart=on-failure", "RestartSec=10s", "WatchdogSec=60s", "RestartPreventExitStatus=78", "WantedBy=default.target", "StartLimitBurst=5"]) {
      assert.include(unit, `\n${line}\n`)
    }
    assert.notInclude(unit, "MemoryDenyWriteExecute")
    assert.isBelow(unit.indexOf("StartLimitBurst"), unit.indexOf("[Service]"))
  })

  it.live("the generated units (system and --user, AGENC_HOME with a space) pass systemd-analyze verify with no warnings", () =>
    Effect.gen(function*() {
      if (!hasAnalyze) {
        console.log("skipped: systemd-analyze is not installed")
        return
      }
      const dir = yield* tempDir
      const home = path.join(dir, "home with space")
      fs.mkdirSync(home)
      for (const variant of [[], ["--user"]]) {
        const result = yield* runCli(home, ["daemon", "systemd-unit", ...variant])
        assert.strictEqual(result.code, 0, result.stderr)
        assert.include(result.stdout, `Environment="AGENC_HOME=${home}"`)
        const file = path.join(dir, `agenc${variant.length}.service`)
        fs.writeFileSync(file, result.stdout)
        const verify = spawnSync("systemd-analyze", ["verify", ...(variant.length > 0 ? ["--user"] : []), file], {
          encoding: "utf8",
          // A user manager needs a runtime directory; a container may have none.
          env: { ...process.env, XDG_RUNTIME_DIR: dir }
        })
        assert.strictEqual(verify.status, 0, verify.stderr)
        assert.strictEqual(verify.stderr.trim(), "", verify.stderr)
      }
    }).pipe(Effect.scoped), 30_000)
})

import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { quote, stateDirectoryOf, systemdUnit } from "../../src/daemon/SystemdUnit.js"
import { runCli, tempDir } from "../layers/CliProcess.js"

const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0

describe("systemd unit", () => {
  it("quotes words with spaces, quotes, % and $", () => {
    assert.strictEqual(quote(`/a b/"c"%d$e`), `"/a b/\\"c\\"%%d$$e"`)
  })

  const base = { node: "/usr/bin/node", cli: "/x/cli.js", home: "/h", watchdogSec: 60, stopTimeoutSec: 10, restartDelayMs: 100, startLimitBurst: 5, startLimitIntervalSec: 300 }

  it("has the required directives", () => {
    const unit = systemdUnit({ ...base, user: true })
    for (const line of ["Type=notify", "Restart=on-failure", "RestartSec=100ms", "WatchdogSec=60s", "RestartPreventExitStatus=78", "WantedBy=default.target", "StartLimitBurst=5"]) {
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
      const systemHome = "/srv/agenc home"
      for (const variant of [["--home", systemHome], ["--user"]]) {
        const result = yield* runCli(home, ["daemon", "systemd-unit", ...variant])
        assert.strictEqual(result.code, 0, result.stderr)
        assert.include(result.stdout, `Environment="AGENC_HOME=${variant[0] === "--user" ? home : systemHome}"`)
        const file = path.join(dir, `agenc${variant.length}.service`)
        fs.writeFileSync(file, result.stdout)
        const verify = spawnSync("systemd-analyze", ["verify", ...(variant[0] === "--user" ? ["--user"] : []), file], {
          encoding: "utf8",
          // A user manager needs a runtime directory; a container may have none.
          env: { ...process.env, XDG_RUNTIME_DIR: dir }
        })
        assert.strictEqual(verify.status, 0, verify.stderr)
        assert.strictEqual(verify.stderr.trim(), "", verify.stderr)
      }
    }).pipe(Effect.scoped), 30_000)

  it("the system unit runs as agenc in its StateDirectory /var/lib/agenc; --run-as and a home elsewhere", () => {
    const unit = systemdUnit({ ...base, user: false, home: "/var/lib/agenc", runAs: "agenc" })
    for (const line of ["User=agenc", "Group=agenc", "StateDirectory=agenc", "StateDirectoryMode=0700", `Environment="AGENC_HOME=/var/lib/agenc"`, "PrivateTmp=yes", "ProtectSystem=strict", "NoNewPrivileges=yes"]) {
      assert.include(unit, `\n${line}\n`)
    }
    // systemd creates a StateDirectory; a ReadWritePaths= naming a missing home fails with 226/NAMESPACE
    assert.notInclude(unit, "ReadWritePaths")
    const elsewhere = systemdUnit({ ...base, user: false, home: "/srv/agenc", runAs: "bot" })
    assert.include(elsewhere, `\nUser=bot\nGroup=bot\n`)
    assert.include(elsewhere, `\nReadWritePaths="/srv/agenc"\n`)
    assert.notInclude(elsewhere, "StateDirectory")
    assert.strictEqual(stateDirectoryOf("/var/lib/agenc/bot-1"), "agenc/bot-1")
    assert.strictEqual(stateDirectoryOf("/var/lib"), undefined)
    assert.strictEqual(stateDirectoryOf("/var/library"), undefined)
  })

  it("daemon.restartDelay and daemon.restartLimit set RestartSec and the start limits", () => {
    const unit = systemdUnit({ ...base, user: true, restartDelayMs: 10_000, startLimitBurst: 3, startLimitIntervalSec: 60 })
    for (const line of ["RestartSec=10s", "StartLimitBurst=3", "StartLimitIntervalSec=60"]) assert.include(unit, `\n${line}\n`)
  })

  it.live("systemd-unit: a system home or config under /tmp is refused (PrivateTmp=yes) with a one-line error; flags are checked", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const cases: Array<[ReadonlyArray<string>, string]> = [
        [["--home", "/tmp/agenc"], "--home /tmp/agenc is under /tmp or /var/tmp, which the system unit hides (PrivateTmp=yes)"],
        [["--home", "/var/tmp/x/../agenc"], "--home /var/tmp/agenc is under /tmp or /var/tmp"],
        [["--config", path.join(dir, "gateway.json")], `--config ${path.join(dir, "gateway.json")} is under /tmp or /var/tmp`],
        [["--user", "--run-as", "bot"], "--run-as: only for the system unit"],
        [["--user", "--home", "/srv/a"], "--home: only for the system unit"],
        [["--run-as", "bad name"], `--run-as: "bad name" is not a user name`]
      ]
      for (const [args, message] of cases) {
        const result = yield* runCli(dir, ["daemon", "systemd-unit", ...args])
        assert.strictEqual(result.code, 2, result.stderr)
        assert.include(result.stderr, message)
        assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr)
        assert.strictEqual(result.stdout, "")
      }
      // A user unit has no PrivateTmp: a home under /tmp is fine there.
      const user = yield* runCli(dir, ["daemon", "systemd-unit", "--user"])
      assert.strictEqual(user.code, 0, user.stderr)
      assert.include(user.stdout, `Environment="AGENC_HOME=${dir}"`)
    }).pipe(Effect.scoped), 30_000)
})

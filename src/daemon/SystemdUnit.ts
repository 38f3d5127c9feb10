import * as path from "node:path"

/** What the generated unit runs and where. */
export interface UnitOptions {
  readonly user: boolean
  readonly node: string
  readonly cli: string
  readonly home: string
  readonly configFile?: string | undefined
  readonly watchdogSec: number
  readonly stopTimeoutSec: number
  /** System unit only: the account (and group) to run as (omitted: root). */
  readonly runAs?: string | undefined
  /** `daemon.restartDelay`: RestartSec. */
  readonly restartDelayMs: number
  /** `daemon.restartLimit`: StartLimitBurst within StartLimitIntervalSec. */
  readonly startLimitBurst: number
  readonly startLimitIntervalSec: number
}

/** The home of the system unit unless `--home` says otherwise: systemd creates it (`StateDirectory=agenc`). */
export const SYSTEM_HOME = "/var/lib/agenc"

/** The account the system unit runs as unless `--run-as` says otherwise. */
export const SYSTEM_USER = "agenc"

/**
 * Why a system unit cannot use this path, if it cannot: it runs with `PrivateTmp=yes`, so anything under
 * `/tmp` or `/var/tmp` is a different, empty directory for the daemon (and systemd fails with 226/NAMESPACE
 * on a `ReadWritePaths=` that it cannot find).
 */
export const privateTmpProblem = (what: string, file: string): string | undefined => {
  const resolved = path.resolve(file)
  return ["/tmp", "/var/tmp"].some((dir) => resolved === dir || resolved.startsWith(`${dir}/`))
    ? `${what} ${resolved} is under /tmp or /var/tmp, which the system unit hides (PrivateTmp=yes): choose a path elsewhere (default ${SYSTEM_HOME}), or use --user`
    : undefined
}

/** The `StateDirectory=` name when `home` lies under /var/lib (systemd then creates it, owned by the unit's user). */
export const stateDirectoryOf = (home: string): string | undefined => {
  const relative = path.relative("/var/lib", path.resolve(home))
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) && /^[A-Za-z0-9._/-]+$/.test(relative) ? relative : undefined
}

/** A duration in milliseconds as systemd writes it. */
const timeSpan = (ms: number): string => ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`

/** Quotes one word for a unit file: C-style escapes in double quotes, `%` and `$` doubled so systemd takes them literally. */
export const quote = (word: string): string =>
  `"${word.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`

/**
 * The systemd unit for the daemon: Type=notify with the watchdog, restarts on failure after
 * `daemon.restartDelay` except for a bad config (78), crash loops stopped by the start limits, and the
 * sandboxing that a Node service tolerates (not MemoryDenyWriteExecute: V8's JIT needs writable executable
 * memory). The system unit runs as `runAs`; a home under /var/lib is its StateDirectory, created by systemd.
 */
export const systemdUnit = (options: UnitOptions): string => {
  const exec = [options.node, options.cli, "daemon", "start", "--foreground"]
  if (options.configFile !== undefined) exec.push("--config", options.configFile)
  const stateDirectory = options.user ? undefined : stateDirectoryOf(options.home)
  const lines = [
    "[Unit]",
    "Description=AgenC heartbeat gateway",
    ...(options.user ? [] : ["After=network-online.target", "Wants=network-online.target"]),
    `StartLimitIntervalSec=${options.startLimitIntervalSec}`,
    `StartLimitBurst=${options.startLimitBurst}`,
    "",
    "[Service]",
    "Type=notify",
    "NotifyAccess=main",
    `ExecStart=${exec.map(quote).join(" ")}`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    `Environment=${quote(`AGENC_HOME=${options.home}`)}`,
    "Restart=on-failure",
    `RestartSec=${timeSpan(options.restartDelayMs)}`,
    "RestartPreventExitStatus=78",
    `WatchdogSec=${options.watchdogSec}s`,
    "TimeoutStartSec=60s",
    `TimeoutStopSec=${options.stopTimeoutSec}s`,
    "KillMode=mixed",
    "UMask=0077",
    "NoNewPrivileges=yes",
    ...(options.user
      ? []
      : [
        ...(options.runAs !== undefined ? [`User=${options.runAs}`, `Group=${options.runAs}`] : []),
        ...(stateDirectory === undefined ? [] : [`StateDirectory=${stateDirectory}`, "StateDirectoryMode=0700"]),
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectSystem=strict",
        "ProtectHome=read-only",
        ...(stateDirectory === undefined ? [`ReadWritePaths=${quote(options.home)}`] : []),
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes",
        "ProtectClock=yes",
        "ProtectHostname=yes",
        "RestrictNamespaces=yes",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "LockPersonality=yes",
        "SystemCallArchitectures=native",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
      ]),
    "",
    "[Install]",
    `WantedBy=${options.user ? "default.target" : "multi-user.target"}`,
    ""
  ]
  return lines.join("\n")
}

/** What the generated unit runs and where. */
export interface UnitOptions {
  readonly user: boolean
  readonly node: string
  readonly cli: string
  readonly home: string
  readonly configFile?: string | undefined
  readonly watchdogSec: number
  readonly stopTimeoutSec: number
  /** System unit only: the account to run as (omitted: root). */
  readonly runAs?: string | undefined
}

/** Quotes one word for a unit file: C-style escapes in double quotes, `%` and `$` doubled so systemd takes them literally. */
export const quote = (word: string): string =>
  `"${word.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`

/**
 * The systemd unit for the daemon: Type=notify with the watchdog, restarts on failure except for a bad
 * config (78), and the sandboxing that a Node service tolerates (not MemoryDenyWriteExecute: V8's JIT
 * needs writable executable memory).
 */
export const systemdUnit = (options: UnitOptions): string => {
  const exec = [options.node, options.cli, "daemon", "start", "--foreground"]
  if (options.configFile !== undefined) exec.push("--config", options.configFile)
  const lines = [
    "[Unit]",
    "Description=AgenC heartbeat gateway",
    ...(options.user ? [] : ["After=network-online.target", "Wants=network-online.target"]),
    "StartLimitIntervalSec=300",
    "StartLimitBurst=5",
    "",
    "[Service]",
    "Type=notify",
    "NotifyAccess=main",
    `ExecStart=${exec.map(quote).join(" ")}`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    `Environment=${quote(`AGENC_HOME=${options.home}`)}`,
    "Restart=on-failure",
    "RestartSec=10s",
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
        ...(options.runAs !== undefined ? [`User=${options.runAs}`] : []),
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectSystem=strict",
        "ProtectHome=read-only",
        `ReadWritePaths=${quote(options.home)}`,
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

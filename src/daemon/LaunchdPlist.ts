/** What the generated LaunchAgent runs and where. */
export interface PlistOptions {
  readonly label: string
  readonly node: string
  readonly cli: string
  readonly home: string
  readonly configFile?: string | undefined
  readonly logFile: string
  /** launchd's minimum seconds between two starts (it restarts no sooner). */
  readonly throttleIntervalSec: number
  /** How long launchd waits after SIGTERM before SIGKILL. */
  readonly exitTimeoutSec: number
}

/** The default `Label` (and file name, `~/Library/LaunchAgents/<label>.plist`). */
export const LAUNCHD_LABEL = "com.agenc.daemon"

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

type Value = string | number | boolean | ReadonlyArray<string> | { readonly [key: string]: Value }

const render = (value: Value, indent: string): string => {
  if (typeof value === "string") return `${indent}<string>${escape(value)}</string>`
  if (typeof value === "number") return `${indent}<integer>${value}</integer>`
  if (typeof value === "boolean") return `${indent}<${value}/>`
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.map((item) => render(item, `${indent}  `)), `${indent}</array>`].join("\n")
  const entries = Object.entries(value)
  return [
    `${indent}<dict>`,
    ...entries.flatMap(([key, item]) => [`${indent}  <key>${escape(key)}</key>`, render(item, `${indent}  `)]),
    `${indent}</dict>`
  ].join("\n")
}

/**
 * A launchd LaunchAgent for the daemon: runs `daemon start --foreground` at load and again whenever it
 * ends unsuccessfully (a crash, a signal; `KeepAlive.SuccessfulExit=false`, so `launchctl kill TERM` or a
 * clean exit leaves it stopped), at most once per `ThrottleInterval`, with its output in the log file.
 */
export const launchdPlist = (options: PlistOptions): string => {
  const program = [options.node, options.cli, "daemon", "start", "--foreground"]
  if (options.configFile !== undefined) program.push("--config", options.configFile)
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    render({
      Label: options.label,
      ProgramArguments: program,
      EnvironmentVariables: { AGENC_HOME: options.home },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: options.throttleIntervalSec,
      ExitTimeOut: options.exitTimeoutSec,
      ProcessType: "Standard",
      StandardOutPath: options.logFile,
      StandardErrorPath: options.logFile
    }, ""),
    `</plist>`,
    ""
  ].join("\n")
}

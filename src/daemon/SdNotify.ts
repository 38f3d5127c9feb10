import { Clock, Context, Duration, Effect, Layer, Schedule } from "effect"
import { createRequire } from "node:module"

/**
 * systemd's readiness protocol (sd_notify). Datagrams go out from this very process, so systemd's default
 * `NotifyAccess=main` accepts them: a child `systemd-notify` would speak for another PID and race its own
 * exit. Node has no AF_UNIX datagram socket, so the two syscalls go through koffi (a prebuilt FFI).
 */
export interface SdNotifyService {
  /** Whether `NOTIFY_SOCKET` is set. */
  readonly enabled: boolean
  /** Sends one message (`READY=1`, `STATUS=...`); a failure is logged, never raised. */
  readonly notify: (state: string) => Effect.Effect<void>
  /** The watchdog ping interval (half of `WATCHDOG_USEC`) when the watchdog applies to this process. */
  readonly watchdogInterval: Duration.Duration | undefined
}

/** The sd_notify client. */
export class SdNotify extends Context.Tag("agenc/SdNotify")<SdNotify, SdNotifyService>() {}

const AF_UNIX = 1
const SOCK_DGRAM = 2
const SOCK_CLOEXEC = 0o2000000
const MSG_DONTWAIT = 0x40
const MSG_NOSIGNAL = 0x4000

/** Encodes `NOTIFY_SOCKET` as a `sockaddr_un`: `@name` is abstract (leading NUL, no terminator), else a path. */
export const socketAddress = (address: string): Buffer => {
  const abstract = address.startsWith("@")
  const name = Buffer.from(abstract ? address.slice(1) : address)
  if (name.length + 1 > 108) throw new Error(`NOTIFY_SOCKET is too long (${name.length} bytes)`)
  const sockaddr = Buffer.alloc(2 + 1 + name.length)
  sockaddr.writeUInt16LE(AF_UNIX, 0)
  // Abstract: NUL then the name; path: the name then NUL.
  name.copy(sockaddr, abstract ? 3 : 2)
  return sockaddr
}

interface Libc {
  readonly socket: (domain: number, type: number, protocol: number) => number
  readonly sendto: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrlen: number) => number
  readonly close: (fd: number) => number
  readonly errno: () => number
}

const loadLibc = (): Libc => {
  // cast: koffi is loaded lazily (Linux only) and has no types we import here
  const koffi = createRequire(import.meta.url)("koffi") as {
    load: (name: string) => { func: (signature: string) => (...args: Array<unknown>) => number }
    errno: () => number
  }
  const libc = koffi.load("libc.so.6")
  return {
    socket: libc.func("int socket(int, int, int)") as Libc["socket"], // cast: koffi returns untyped functions; the C signature string is the type
    sendto: libc.func("long sendto(int, const void *, size_t, int, const void *, uint32_t)") as Libc["sendto"], // cast: koffi returns untyped functions; the C signature string is the type
    close: libc.func("int close(int)") as Libc["close"], // cast: koffi returns untyped functions; the C signature string is the type
    errno: koffi.errno
  }
}

/** When the watchdog is on for this process: `WATCHDOG_USEC` set and `WATCHDOG_PID` unset or ours. */
export const watchdogIntervalFrom = (env: NodeJS.ProcessEnv, pid: number): Duration.Duration | undefined => {
  const usec = Number(env.WATCHDOG_USEC)
  if (!Number.isFinite(usec) || usec <= 0) return undefined
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== "" && Number(env.WATCHDOG_PID) !== pid) return undefined
  return Duration.micros(BigInt(Math.floor(usec / 2)))
}

/** `MONOTONIC_USEC=` as systemd wants it with `RELOADING=1`: CLOCK_MONOTONIC in microseconds. */
export const monotonicUsec = (): string => (process.hrtime.bigint() / 1000n).toString()

/** The sd_notify client from `NOTIFY_SOCKET`; a no-op without it. The socket is closed with the layer. */
export const SdNotifyLive = Layer.scoped(
  SdNotify,
  Effect.gen(function*() {
    const address = process.env.NOTIFY_SOCKET
    const watchdogInterval = watchdogIntervalFrom(process.env, process.pid)
    if (address === undefined || address === "") {
      return SdNotify.of({ enabled: false, notify: () => Effect.void, watchdogInterval: undefined })
    }
    const opened = yield* Effect.acquireRelease(
      Effect.try(() => {
        const libc = loadLibc()
        const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)
        if (fd < 0) throw new Error(`socket() failed (errno ${libc.errno()})`)
        return { libc, fd, sockaddr: socketAddress(address) }
      }).pipe(
        Effect.tapError((error) => Effect.logWarning(`sd_notify disabled: ${String(error.error)}`)),
        Effect.option
      ),
      (opened) => Effect.sync(() => opened._tag === "Some" && opened.value.libc.close(opened.value.fd))
    )
    if (opened._tag === "None") return SdNotify.of({ enabled: false, notify: () => Effect.void, watchdogInterval })
    const { libc, fd, sockaddr } = opened.value
    return SdNotify.of({
      enabled: true,
      watchdogInterval,
      notify: (state) =>
        Effect.suspend(() => {
          const message = Buffer.from(state)
          const sent = libc.sendto(fd, message, message.length, MSG_DONTWAIT | MSG_NOSIGNAL, sockaddr, sockaddr.length)
          return sent < 0 ? Effect.logWarning(`sd_notify ${state.split("\n")[0]} failed (errno ${libc.errno()})`) : Effect.void
        })
    })
  })
)

/**
 * Pings the systemd watchdog at half its interval for as long as the scope lives (nothing without a
 * watchdog), but only while `lastProgressAt` (the dispatcher's last turn) is recent: within the watchdog
 * interval, or within `minStaleMs` when the loop legitimately sleeps longer than that between turns. A
 * wedged dispatcher thus stops the pings and systemd restarts the daemon.
 */
export const watchdog = (lastProgressAt: Effect.Effect<number | undefined>, minStaleMs: number) =>
  Effect.gen(function*() {
    const notify = yield* SdNotify
    if (!notify.enabled || notify.watchdogInterval === undefined) return
    const staleAfterMs = Math.max(2 * Duration.toMillis(notify.watchdogInterval), minStaleMs)
    let withheld = false
    const ping = Effect.gen(function*() {
      const last = yield* lastProgressAt
      const now = yield* Clock.currentTimeMillis
      if (last !== undefined && now - last <= staleAfterMs) {
        if (withheld) yield* Effect.logInfo("the dispatcher makes progress again; watchdog pings resume")
        withheld = false
        return yield* notify.notify("WATCHDOG=1")
      }
      if (!withheld) {
        yield* Effect.logError(
          `the dispatcher made no progress for ${last === undefined ? "ever" : `${now - last} ms`}; withholding WATCHDOG=1 so systemd restarts the daemon`
        )
      }
      withheld = true
    })
    yield* ping.pipe(Effect.repeat(Schedule.spaced(notify.watchdogInterval)), Effect.forkScoped)
  })

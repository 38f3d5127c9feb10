import { Effect } from "effect"
import { spawn } from "node:child_process"

const LISTENER = `
import socket, sys, json, time
address = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + address[1:] if address.startswith("@") else address)
print("bound", flush=True)
while True:
    data = s.recv(4096)
    print(json.dumps({"at": time.monotonic(), "message": data.decode()}), flush=True)
`

/** A real AF_UNIX datagram socket (abstract for `@name`) bound by a python3 child; records every datagram. */
export const notifyListener = (address: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly messages: Array<{ at: number; message: string }>; readonly kill: () => void }>((resume) => {
      const child = spawn("python3", ["-c", LISTENER, address], { stdio: ["ignore", "pipe", "inherit"] })
      const messages: Array<{ at: number; message: string }> = []
      let buffer = ""
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        buffer += chunk
        let newline: number
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          if (line === "bound") resume(Effect.succeed({ messages, kill: () => child.kill("SIGKILL") }))
          else messages.push(JSON.parse(line))
        }
      })
    }),
    (listener) => Effect.sync(listener.kill)
  )

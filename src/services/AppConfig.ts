import { Context } from "effect"
import type { GatewayConfig } from "../domain/GatewayConfig.js"

/** The loaded configuration and where it came from. */
export interface LoadedConfig {
  /** `$AGENC_HOME`: every file the program writes lives under it unless the config says otherwise. */
  readonly home: string
  /** The config file that was (or would have been) read. */
  readonly file: string
  /** Whether `file` existed; when it did not, built-in defaults apply. */
  readonly fromFile: boolean
  readonly config: GatewayConfig
}

/** The decoded `gateway.json` for this process. */
export class AppConfig extends Context.Tag("agenc/AppConfig")<AppConfig, LoadedConfig>() {}

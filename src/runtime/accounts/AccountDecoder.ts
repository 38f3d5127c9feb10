import { createDecoder, type Decoder, getI64Decoder, type ReadonlyUint8Array } from "@solana/kit"
import { Either } from "effect"
import { DecodeError } from "../../services/AgentRuntime.js"
import { type AccountName, DISCRIMINATORS } from "./Discriminator.js"

/** i64 unix seconds as a number (safe: timestamps are far below 2^53). */
export const unixSecondsDecoder = (): Decoder<number> => {
  const i64 = getI64Decoder()
  return createDecoder({
    read: (bytes: ReadonlyUint8Array | Uint8Array, offset: number): [number, number] => {
      const [value, next] = i64.read(bytes, offset)
      return [Number(value), next]
    }
  })
}

/** Maps an on-chain enum byte to its name; values the program added later become "Unknown". */
export const enumName = <const A extends string>(names: ReadonlyArray<A>, value: number): A | "Unknown" =>
  names[value] ?? "Unknown"

/** Whether `data` starts with the discriminator of `name`. */
export const hasDiscriminator = (name: AccountName, data: Uint8Array): boolean => {
  const expected = DISCRIMINATORS[name]
  if (data.length < 8) return false
  for (let i = 0; i < 8; i++) if (data[i] !== expected[i]) return false
  return true
}

/** The error for an account whose first 8 bytes are not the discriminator of `name`. */
export const discriminatorError = (name: AccountName, address: string, data: Uint8Array): DecodeError =>
  new DecodeError({ account: address, message: `not a ${name} account (discriminator mismatch, ${data.length} bytes)` })

/** The error for an account whose bytes do not fit the layout of `name`. */
export const layoutError = (name: AccountName, address: string, data: Uint8Array, reason: string): DecodeError =>
  new DecodeError({ account: address, message: `${name} account of ${data.length} bytes does not decode: ${reason}` })

/**
 * Checks the discriminator, then decodes the fields after it sequentially with a kit decoder. A short
 * or malformed account is a `DecodeError` naming its address, never a throw.
 */
export const decodeAccount = <A>(
  name: AccountName,
  address: string,
  data: Uint8Array,
  decoder: Decoder<A>
): Either.Either<A, DecodeError> => {
  if (!hasDiscriminator(name, data)) return Either.left(discriminatorError(name, address, data))
  try {
    return Either.right(decoder.read(data, 8)[0])
  } catch (cause) {
    return Either.left(layoutError(name, address, data, cause instanceof Error ? cause.message : String(cause)))
  }
}

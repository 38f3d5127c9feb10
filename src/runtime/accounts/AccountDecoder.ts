import {
  createDecoder,
  type Decoder,
  getAddressDecoder,
  getI64Decoder,
  getU8Decoder,
  type ReadonlyUint8Array
} from "@solana/kit"
import { Either } from "effect"
import { DecodeError } from "../../services/AgentRuntime.js"
import { type AccountName, DISCRIMINATORS } from "./Discriminator.js"

/**
 * Borsh `Option<T>` that, unlike kit's `getOptionDecoder` (which reads any tag other than 1 as None),
 * rejects tags other than 0 and 1: a stray tag means the layout is not what we think, and every later
 * offset would be wrong.
 */
export const strictOptionDecoder = <T>(item: Decoder<T>): Decoder<T | null> =>
  createDecoder({
    read: (bytes: ReadonlyUint8Array | Uint8Array, offset: number): [T | null, number] => {
      const [tag, next] = getU8Decoder().read(bytes, offset)
      if (tag === 0) return [null, next]
      if (tag === 1) return item.read(bytes, next)
      throw new Error(`Option tag ${tag} at offset ${offset} (expected 0 or 1)`)
    }
  })

/** `Option<Pubkey>` as base58 or null. */
export const optionalAddress = strictOptionDecoder(getAddressDecoder())

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

/**
 * Checks the discriminator, then decodes the fields after it sequentially. A short or malformed account
 * is a `DecodeError` naming its address, never a throw.
 */
export const decodeAccount = <A>(
  name: AccountName,
  address: string,
  data: Uint8Array,
  decoder: Decoder<A>
): Either.Either<A, DecodeError> => {
  const expected = DISCRIMINATORS[name]
  if (data.length < 8 || expected.some((byte, i) => data[i] !== byte)) {
    return Either.left(new DecodeError({ account: address, message: `not a ${name} account (discriminator mismatch, ${data.length} bytes)` }))
  }
  try {
    return Either.right(decoder.read(data, 8)[0])
  } catch (cause) {
    return Either.left(new DecodeError({
      account: address,
      message: `${name} account of ${data.length} bytes does not decode: ${cause instanceof Error ? cause.message : String(cause)}`
    }))
  }
}

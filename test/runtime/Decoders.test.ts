import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeAgentRegistration } from "../../src/runtime/accounts/AgentRegistrationAccount.js"
import { DISCRIMINATORS } from "../../src/runtime/accounts/Discriminator.js"
import { decodeDispute } from "../../src/runtime/accounts/DisputeAccount.js"
import { decodeTask } from "../../src/runtime/accounts/TaskAccount.js"
import { decodeTaskClaim } from "../../src/runtime/accounts/TaskClaimAccount.js"
import { addressFor, agentBytes, claimBytes, disputeBytes, DOCUMENTED_DISCRIMINATORS, taskBytes } from "./fixtures/accounts.js"

const ADDR = addressFor(42)
const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) assert.fail(`expected Right, got ${JSON.stringify(e.left)}`)
  return (e as Either.Right<E, A>).right
}

describe("discriminators", () => {
  it("are sha256(\"account:<Name>\")[0..8] and equal the documented bytes", () => {
    for (const name of ["Task", "AgentRegistration", "TaskClaim", "Dispute"] as const) {
      assert.deepStrictEqual([...DISCRIMINATORS[name]], [...DOCUMENTED_DISCRIMINATORS[name]])
    }
  })
})

describe("decodeTask", () => {
  const base = {
    requiredCapabilities: 0b101n,
    description: "summarise the pdf",
    rewardAmount: 2_500_000_000n,
    maxWorkers: 3,
    currentWorkers: 1,
    status: 0,
    taskType: 1,
    createdAt: 1_700_000_000,
    deadline: 1_800_000_000,
    minReputation: 4200
  }

  it("decodes a task with depends_on unset (None) and no reward mint", () => {
    const task = right(decodeTask(ADDR, taskBytes(base)))
    assert.strictEqual(task.id, ADDR)
    assert.strictEqual(task.requiredCapabilities, 0b101n)
    assert.strictEqual(task.description, "summarise the pdf")
    assert.strictEqual(task.rewardAmount, 2_500_000_000n)
    assert.strictEqual(task.maxWorkers, 3)
    assert.strictEqual(task.currentWorkers, 1)
    assert.strictEqual(task.status, "Open")
    assert.strictEqual(task.taskType, "Collaborative")
    assert.strictEqual(task.createdAt, 1_700_000_000)
    assert.strictEqual(task.deadline, 1_800_000_000)
    assert.strictEqual(task.dependsOn, null)
    assert.strictEqual(task.minReputation, 4200)
    assert.strictEqual(task.rewardMint, null)
    assert.strictEqual(task.creator, addressFor(1, 99))
  })

  it("decodes a task with depends_on set: min_reputation and reward_mint move by 32 bytes", () => {
    const dep = addressFor(7)
    const mint = addressFor(8)
    const task = right(decodeTask(ADDR, taskBytes({ ...base, dependsOn: dep, dependencyType: 2, rewardMint: mint })))
    assert.strictEqual(task.dependsOn, dep)
    assert.strictEqual(task.minReputation, 4200)
    assert.strictEqual(task.rewardMint, mint)
    // unset depends_on, set mint: the mint sits right after min_reputation at 316
    const noDep = right(decodeTask(ADDR, taskBytes({ ...base, rewardMint: mint })))
    assert.strictEqual(noDep.dependsOn, null)
    assert.strictEqual(noDep.rewardMint, mint)
    assert.strictEqual(noDep.minReputation, 4200)
  })

  it("tolerates the 432- and 466-byte (mainnet) layouts", () => {
    for (const size of [432, 466]) {
      const task = right(decodeTask(ADDR, taskBytes({ ...base, size, dependsOn: addressFor(9), rewardMint: addressFor(10) })))
      assert.strictEqual(task.rewardAmount, 2_500_000_000n)
      assert.strictEqual(task.dependsOn, addressFor(9))
      assert.strictEqual(task.rewardMint, addressFor(10))
      assert.strictEqual(task.minReputation, 4200)
    }
  })

  it("maps enum values it does not know to Unknown, and RejectFrozen / BidExclusive by name", () => {
    assert.strictEqual(right(decodeTask(ADDR, taskBytes({ status: 6, taskType: 3 }))).status, "RejectFrozen")
    assert.strictEqual(right(decodeTask(ADDR, taskBytes({ status: 6, taskType: 3 }))).taskType, "BidExclusive")
    const odd = right(decodeTask(ADDR, taskBytes({ status: 9, taskType: 77 })))
    assert.strictEqual(odd.status, "Unknown")
    assert.strictEqual(odd.taskType, "Unknown")
    for (const [code, name] of [[1, "InProgress"], [2, "PendingValidation"], [3, "Completed"], [4, "Cancelled"], [5, "Disputed"]] as const) {
      assert.strictEqual(right(decodeTask(ADDR, taskBytes({ status: code }))).status, name)
    }
  })

  it("decodes the full u64 range of capabilities and reward", () => {
    const max = (1n << 64n) - 1n
    const task = right(decodeTask(ADDR, taskBytes({ requiredCapabilities: max, rewardAmount: max })))
    assert.strictEqual(task.requiredCapabilities, max)
    assert.strictEqual(task.rewardAmount, max)
  })

  it("fails with a DecodeError naming the account on truncated data", () => {
    const bytes = taskBytes({ dependsOn: addressFor(7) }).subarray(0, 330)
    const result = decodeTask(ADDR, bytes)
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left._tag, "DecodeError")
      assert.strictEqual(result.left.account, ADDR)
      assert.include(result.left.message, "330 bytes")
    }
  })

  it("fails with a DecodeError on a wrong discriminator or a bad Option tag", () => {
    const wrong = taskBytes()
    wrong[0] = 0
    assert.isTrue(Either.isLeft(decodeTask(ADDR, wrong)))
    const badTag = taskBytes()
    badTag[313] = 2
    const result = decodeTask(ADDR, badTag)
    assert.isTrue(Either.isLeft(result) && result.left.message.includes("Option tag 2"))
    assert.isTrue(Either.isLeft(decodeTask(ADDR, new Uint8Array(0))))
  })
})

describe("decodeAgentRegistration", () => {
  it("decodes after the variable-length strings, with the mainnet u16 active_tasks", () => {
    const agent = right(decodeAgentRegistration(ADDR, agentBytes({ endpoint: "https://x.example", metadataUri: "", activeTasks: 300, reputation: 6100, stake: 7n }), "mainnet"))
    assert.strictEqual(agent.endpoint, "https://x.example")
    assert.strictEqual(agent.metadataUri, "")
    assert.strictEqual(agent.capabilities, 3n)
    assert.strictEqual(agent.status, "Active")
    assert.strictEqual(agent.tasksCompleted, 12n)
    assert.strictEqual(agent.totalEarned, 3_500_000_000n)
    assert.strictEqual(agent.reputation, 6100)
    assert.strictEqual(agent.activeTasks, 300)
    assert.strictEqual(agent.stake, 7n)
  })

  it("decodes the legacy u8 active_tasks layout", () => {
    const agent = right(decodeAgentRegistration(ADDR, agentBytes({ layout: "legacy", activeTasks: 4, stake: 99n }), "legacy"))
    assert.strictEqual(agent.activeTasks, 4)
    assert.strictEqual(agent.stake, 99n)
  })

  it("fails with a DecodeError when a string length runs past the end", () => {
    const bytes = agentBytes()
    new DataView(bytes.buffer).setUint32(81, 100_000, true)
    const result = decodeAgentRegistration(ADDR, bytes, "mainnet")
    assert.isTrue(Either.isLeft(result) && result.left.account === ADDR)
  })
})

describe("decodeTaskClaim and decodeDispute", () => {
  it("decode the fixed layouts", () => {
    const claim = right(decodeTaskClaim(ADDR, claimBytes({ task: addressFor(1), worker: addressFor(2), expiresAt: 1_800_000_000, isCompleted: true, rewardPaid: 5n })))
    assert.strictEqual(claim.task, addressFor(1))
    assert.strictEqual(claim.worker, addressFor(2))
    assert.strictEqual(claim.claimedAt, 1_700_000_100)
    assert.strictEqual(claim.expiresAt, 1_800_000_000)
    assert.isTrue(claim.isCompleted)
    assert.strictEqual(claim.rewardPaid, 5n)

    const dispute = right(decodeDispute(ADDR, disputeBytes({ task: addressFor(1), status: 1, resolutionType: 2, votesFor: 9n })))
    assert.strictEqual(dispute.id, ADDR)
    assert.strictEqual(dispute.task, addressFor(1))
    assert.strictEqual(dispute.status, "Resolved")
    assert.strictEqual(dispute.resolutionType, "Split")
    assert.strictEqual(dispute.votesFor, 9n)
    assert.strictEqual(dispute.votesAgainst, 1n)
    assert.strictEqual(dispute.votingDeadline, 1_700_086_900)
    assert.strictEqual(right(decodeDispute(ADDR, disputeBytes({ task: addressFor(1), status: 8 }))).status, "Unknown")
  })

  it("fail with a DecodeError on truncated data", () => {
    assert.isTrue(Either.isLeft(decodeTaskClaim(ADDR, claimBytes({ task: addressFor(1), worker: addressFor(2) }).subarray(0, 150))))
    assert.isTrue(Either.isLeft(decodeDispute(ADDR, disputeBytes({ task: addressFor(1) }).subarray(0, 200))))
  })
})

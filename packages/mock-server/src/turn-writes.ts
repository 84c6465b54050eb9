import type { ServerResponse } from 'node:http';

/**
 * Ends a response with a body the door holds whole, together with the other answers made in this turn of the event
 * loop: once every request that arrived with the turn has been read and answered (`setImmediate` runs after the poll
 * phase that read them), or once 16 answers wait, they go out back to back.
 *
 * Why: on one machine (a bench, a fleet, a CI job running its devices beside the platform) a write to a socket runs
 * the receiving side's TCP path and wakes its thread in the writer's time. Written as each is made, ~30 µs apart,
 * every answer woke a client that had gone back to sleep: 11 of the 54 µs of CPU a task check cost the platform
 * (perf: `sock_def_readable`), against 1 µs for a bare node:http server that answers faster than its client sleeps.
 * Written together, the client is woken once for all of them. Netty's FlushConsolidationHandler does the same for
 * the same reason. An answer waits at most for the other requests of its turn; a bench or a device sees no more.
 */
export function endThisTurn(res: ServerResponse, body?: Uint8Array | string): void {
  waiting.push({ res, body });
  if (waiting.length >= groupSize) writeWaiting();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(atTurnEnd);
  }
}

// A group of 16 wakes a client once where its answers would wake it up to 16 times; larger groups save no more CPU
// (32 connections: 26 µs a check either way) but keep every answer of the group, its request and response objects,
// alive across the garbage collector's scavenges, and V8 grows its young generation with what survives them: groups
// of 32 made ota-mock's resident set 200 MiB at its peak, groups of 16 173 MiB, as with no grouping.
const groupSize = 16;

const waiting: { res: ServerResponse; body: Uint8Array | string | undefined }[] = [];
let scheduled = false;

function atTurnEnd(): void {
  scheduled = false;
  writeWaiting();
}

function writeWaiting(): void {
  for (const { res, body } of waiting.splice(0)) {
    try {
      // A connection closed meanwhile takes no bytes: Node drops them and the answer's 'close' reports the abort.
      res.end(body);
    } catch {
      // Answered in `send` before, such a failure would have reset the connection; it still does, and the others
      // of the turn still go out.
      res.destroy();
    }
  }
}

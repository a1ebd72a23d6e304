import { randomBytes } from 'node:crypto';
import { constantTimeEqual, keyedHash } from './hashing';
import { Keyring } from './keyring';

/**
 * Authentication of the auth-api <-> mfa-service RPC (keyed by `MFA_RPC_KEY`).
 *
 * Every connection starts with a hello from the server carrying a fresh random nonce. Each request is
 * MACed (HMAC-SHA-256) over that server nonce, the client's own per-connection nonce, a sequence number
 * that must grow on the connection, a timestamp, and the exact body (pattern, id, payload, and the caller's
 * request id and W3C trace context when there are some). Each reply is MACed over both nonces and its body. So:
 *  - a message captured on one connection is refused on any other connection and on any other replica
 *    (the server nonce differs), and on its own connection (the sequence number no longer grows): replay
 *    protection costs one HMAC per message and no shared store on the hot path;
 *  - a rogue listener on the RPC port can't answer (it doesn't hold the key, and the client nonce is fresh);
 *  - the timestamp bounds how long a held-back message stays usable.
 * The MAC key is derived from the configured key (domain separation: the same bytes used elsewhere would
 * not produce RPC MACs). A keyring `new:K2,old:K1` signs with the first key and accepts all of them.
 */
export const RPC_AUTH_VERSION = 1;
/** A request whose timestamp is further than this from the server's clock is refused. */
export const RPC_REPLAY_WINDOW_MS = 30_000;

interface RpcKey {
  id: string;
  mac: Buffer;
}

export interface RpcKeys {
  signing: RpcKey;
  all: readonly RpcKey[];
}

export function rpcKeys(keyring: Keyring): RpcKeys {
  const derive = (id: string, material: Buffer): RpcKey => ({ id, mac: Buffer.from(keyedHash(material, 'twostep mfa rpc mac v1'), 'hex') });
  const signing = derive(keyring.active.id, keyring.active.material);
  return { signing, all: [signing, ...[...keyring.byId.values()].filter((k) => k.id !== signing.id).map((k) => derive(k.id, k.material))] };
}

/** A per-connection nonce (server hello, client nonce). */
export function rpcNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** First frame the server writes on every connection. */
export interface RpcHelloFrame {
  h: { v: number; n: string };
}
/**
 * An authenticated request: `b` is the JSON of `{pattern, data, id, requestId?, traceparent?, tracestate?}`
 * (libs/messaging's rpc-connection.ts writes it), exactly as MACed: the request id and the trace context
 * can't be altered or added in transit either.
 */
export interface RpcRequestFrame {
  a: { k: string; c: string; s: number; t: number; m: string };
  b: string;
}
/** An authenticated reply: `b` is the JSON of Nest's response packet `{id, response|err, isDisposed}`. */
export interface RpcReplyFrame {
  m: string;
  b: string;
}

const requestParts = (serverNonce: string, clientNonce: string, seq: number, ts: number, body: string) => [
  'req',
  String(RPC_AUTH_VERSION),
  serverNonce,
  clientNonce,
  String(seq),
  String(ts),
  body,
];
const replyParts = (serverNonce: string, clientNonce: string, body: string) => [
  'res',
  String(RPC_AUTH_VERSION),
  serverNonce,
  clientNonce,
  body,
];

export function signRpcRequest(
  keys: RpcKeys,
  serverNonce: string,
  clientNonce: string,
  seq: number,
  ts: number,
  body: string,
): RpcRequestFrame {
  return {
    a: {
      k: keys.signing.id,
      c: clientNonce,
      s: seq,
      t: ts,
      m: keyedHash(keys.signing.mac, ...requestParts(serverNonce, clientNonce, seq, ts, body)),
    },
    b: body,
  };
}

export function signRpcReply(keys: RpcKeys, serverNonce: string, clientNonce: string, body: string): RpcReplyFrame {
  return { m: keyedHash(keys.signing.mac, ...replyParts(serverNonce, clientNonce, body)), b: body };
}

/** Tries the key named by `kid` first, then the others (a bare key's id differs from its id in a keyring). */
function macMatches(keys: RpcKeys, kid: unknown, mac: unknown, parts: string[]): boolean {
  if (typeof mac !== 'string') return false;
  const named = keys.all.find((k) => k.id === kid);
  const order = named ? [named, ...keys.all.filter((k) => k !== named)] : keys.all;
  let ok = false;
  // every key is tried (no early exit), so the time taken doesn't tell which key matched
  for (const key of order) ok = constantTimeEqual(keyedHash(key.mac, ...parts), mac) || ok;
  return ok;
}

export type RpcRejectReason = 'malformed' | 'bad_mac' | 'replayed' | 'stale';

/**
 * Checks a request frame received on a connection whose hello carried `serverNonce`. `lastSeq` is the
 * highest sequence number accepted on the connection so far (-1 before the first) and `clientNonce` the
 * one pinned by the first accepted request (undefined before it).
 */
export function verifyRpcRequest(
  keys: RpcKeys,
  frame: unknown,
  conn: { serverNonce: string; clientNonce?: string; lastSeq: number },
  now: number,
): { ok: true; body: string; seq: number; clientNonce: string } | { ok: false; reason: RpcRejectReason } {
  const f = frame as Partial<RpcRequestFrame> | null;
  const a = f?.a;
  if (!a || typeof a !== 'object' || typeof f.b !== 'string' || typeof a.c !== 'string' || a.c.length < 16 || a.c.length > 64)
    return { ok: false, reason: 'malformed' };
  if (!Number.isSafeInteger(a.s) || !Number.isSafeInteger(a.t)) return { ok: false, reason: 'malformed' };
  if (!macMatches(keys, a.k, a.m, requestParts(conn.serverNonce, a.c, a.s!, a.t!, f.b))) return { ok: false, reason: 'bad_mac' };
  if (a.s! <= conn.lastSeq || (conn.clientNonce !== undefined && a.c !== conn.clientNonce)) return { ok: false, reason: 'replayed' };
  if (Math.abs(now - a.t!) > RPC_REPLAY_WINDOW_MS) return { ok: false, reason: 'stale' };
  return { ok: true, body: f.b, seq: a.s!, clientNonce: a.c };
}

/** Checks a reply frame against the connection's nonces; returns its body, or undefined if it isn't genuine. */
export function verifyRpcReply(keys: RpcKeys, frame: unknown, serverNonce: string, clientNonce: string): string | undefined {
  const f = frame as Partial<RpcReplyFrame> | null;
  if (!f || typeof f.b !== 'string') return undefined;
  return macMatches(keys, keys.signing.id, f.m, replyParts(serverNonce, clientNonce, f.b)) ? f.b : undefined;
}

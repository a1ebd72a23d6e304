import { randomBytes } from 'node:crypto';
import { parseKeyring } from './keyring';
import { rpcKeys, rpcNonce, RPC_REPLAY_WINDOW_MS, signRpcReply, signRpcRequest, verifyRpcReply, verifyRpcRequest } from './rpc-auth';

const key = () => randomBytes(32).toString('base64');

describe('RPC message authentication', () => {
  const k1 = key();
  const keys = rpcKeys(parseKeyring(k1));
  const sn = rpcNonce();
  const cn = rpcNonce();
  const now = 1_800_000_000_000;
  const body = JSON.stringify({ pattern: 'mfa.v1.recovery-codes.get', data: { userId: 'u1' }, id: '1' });
  const fresh = { serverNonce: sn, lastSeq: -1 };

  it('accepts a request MACed with the key for this connection, and pins the client nonce and sequence', () => {
    const f = signRpcRequest(keys, sn, cn, 1, now, body);
    expect(verifyRpcRequest(keys, f, fresh, now)).toEqual({ ok: true, body, seq: 1, clientNonce: cn });
  });

  it('refuses a tampered body, another connection (server nonce), a wrong key and a missing MAC', () => {
    const f = signRpcRequest(keys, sn, cn, 1, now, body);
    expect(verifyRpcRequest(keys, { ...f, b: body.replace('u1', 'u2') }, fresh, now)).toEqual({ ok: false, reason: 'bad_mac' });
    expect(verifyRpcRequest(keys, f, { serverNonce: rpcNonce(), lastSeq: -1 }, now)).toEqual({ ok: false, reason: 'bad_mac' });
    expect(verifyRpcRequest(rpcKeys(parseKeyring(key())), f, fresh, now)).toEqual({ ok: false, reason: 'bad_mac' });
    expect(verifyRpcRequest(keys, { ...f, a: { ...f.a, m: undefined } }, fresh, now)).toEqual({ ok: false, reason: 'bad_mac' });
    expect(verifyRpcRequest(keys, { pattern: 'x', data: {}, id: '1' }, fresh, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a replay on the same connection (sequence not growing, or another client nonce) and a stale timestamp', () => {
    const f = signRpcRequest(keys, sn, cn, 5, now, body);
    expect(verifyRpcRequest(keys, f, { serverNonce: sn, clientNonce: cn, lastSeq: 5 }, now)).toEqual({ ok: false, reason: 'replayed' });
    expect(
      verifyRpcRequest(keys, signRpcRequest(keys, sn, rpcNonce(), 6, now, body), { serverNonce: sn, clientNonce: cn, lastSeq: 5 }, now),
    ).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyRpcRequest(keys, f, fresh, now + RPC_REPLAY_WINDOW_MS + 1)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyRpcRequest(keys, f, fresh, now - RPC_REPLAY_WINDOW_MS - 1)).toEqual({ ok: false, reason: 'stale' });
  });

  it('signs with the first key of a keyring and verifies with any of them (rotation)', () => {
    const k2 = key();
    const rotatedClient = rpcKeys(parseKeyring(`new:${k2},old:${k1}`));
    const oldServer = rpcKeys(parseKeyring(k1));
    const bothServer = rpcKeys(parseKeyring(`old:${k1},new:${k2}`));
    const f = signRpcRequest(rotatedClient, sn, cn, 1, now, body);
    expect(verifyRpcRequest(bothServer, f, fresh, now).ok).toBe(true);
    expect(verifyRpcRequest(oldServer, f, fresh, now).ok).toBe(false);
    // a bare key and the same key under an id are the same key
    expect(verifyRpcRequest(bothServer, signRpcRequest(oldServer, sn, cn, 1, now, body), fresh, now).ok).toBe(true);
  });

  it('authenticates replies: only the holder of the key can answer, and only on this connection', () => {
    const reply = signRpcReply(keys, sn, cn, '{"id":"1","response":{"verified":true}}');
    expect(verifyRpcReply(keys, reply, sn, cn)).toBe(reply.b);
    expect(verifyRpcReply(keys, reply, sn, rpcNonce())).toBeUndefined();
    expect(verifyRpcReply(keys, { ...reply, b: '{"id":"2","response":{"verified":true}}' }, sn, cn)).toBeUndefined();
    expect(verifyRpcReply(rpcKeys(parseKeyring(key())), reply, sn, cn)).toBeUndefined();
    expect(verifyRpcReply(keys, { b: reply.b }, sn, cn)).toBeUndefined();
  });
});

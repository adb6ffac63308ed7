import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { PATH_KEY_PARAM, canonicalPublicUrl, resolveNodeUrl, withoutUserinfo } from '../../telapi';
import { isUsable, type TelApiAccountNode } from '../shared/account';
import { normaliseNodePath } from '../shared/paths';

/**
 * The admin route the voice node's dialog asks for the URL to give TelAPI: the account's public URL,
 * the path, and the path's key (docs/design.md, "Calls"). The key admits requests to that path: only
 * an editor that may change voice nodes (`telapi-voice.write`) gets it; the dialog of a read-only
 * editor shows the URL without it.
 *
 * GET /telapi-voice/url?account=<id>&path=/telapi/voice answers { url } with the key, or { problem }
 * ('noAccount' for an account not deployed or without credentials, 'noPublicUrl', 'badPath').
 */
export function registerVoiceUrlRoute(RED: NodeAPI): void {
  RED.httpAdmin.get('/telapi-voice/url', RED.auth.needsPermission('telapi-voice.write'), (req: Request, res: Response) => {
    const account = typeof req.query.account === 'string' ? (RED.nodes.getNode(req.query.account) as TelApiAccountNode | null) : null;
    const path = normaliseNodePath(req.query.path);
    if (!isUsable(account)) return void res.json({ problem: 'noAccount' });
    if (canonicalPublicUrl(account.publicUrl) === undefined) return void res.json({ problem: 'noPublicUrl' });
    if (path === undefined) return void res.json({ problem: 'badPath' });
    try {
      const url = resolveNodeUrl('url', path, account.publicUrl, { name: PATH_KEY_PARAM, value: account.authenticator.keyFor(path) }, account.callbackCredentials, Infinity);
      // The callback user and password stay in the account: the dialog shows where they go.
      res.json({ url: withoutUserinfo(url), withCredentials: url !== withoutUserinfo(url) });
    } catch {
      res.json({ problem: 'badPath' });
    }
  });
}

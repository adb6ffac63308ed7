import type { Response } from 'express';
import type { InboundXmlService } from '../../telapi';
import type { UsableAccount } from './account';

/**
 * What a telapi-voice node lends the telapi-inboundxml node that answers its request: the account
 * (public URL and token for `/path` URLs), the call, the service's InboundXML flavour, and its
 * fallback. Kept beside the Express response the message carries (msg.res._res, which Node-RED passes
 * on by reference, never cloned), so nothing of it is in the message itself.
 */
export interface VoiceContext {
  readonly callSid: string;
  readonly account: UsableAccount | undefined;
  readonly service: InboundXmlService;
  /** Answers the request with the voice node's fallback, unless it was answered already. */
  answerFallback(): void;
}

const contexts = new WeakMap<Response, VoiceContext>();

export function setVoiceContext(res: Response, context: VoiceContext): void {
  contexts.set(res, context);
}

/** The Express response of msg.res, as the core http in node wraps it. */
export function expressResponseOf(res: unknown): Response | undefined {
  const inner = typeof res === 'object' && res !== null ? (res as { _res?: unknown })._res : undefined;
  return typeof inner === 'object' && inner !== null && typeof (inner as Response).setHeader === 'function' ? (inner as Response) : undefined;
}

export function voiceContextOf(res: Response | undefined): VoiceContext | undefined {
  return res === undefined ? undefined : contexts.get(res);
}

/** Answers a voice request with an InboundXML document, unless something answered it already. */
export function answerInboundXml(res: Response, xml: string): boolean {
  if (res.headersSent || res.writableEnded) return false;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/xml; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(xml);
  return true;
}

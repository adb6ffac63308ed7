import { performance } from 'node:perf_hooks';
import type { CallTranscripts, RequestPurpose } from './call-events';
import { redactUrl, type SimulatorLogger } from './logger';
import type { SimulatedCall } from './model';
import { prepareRequest, sendOnce, type CallbackTls } from './outbound-http';
import type { CallbackMethod } from './spec';
import { voiceParams, type Params } from './voice-params';

/** Where a call goes next: a URL TelAPI requests for InboundXML, how, why, and what it adds to the voice parameters. */
export interface VoiceTarget {
  url: string;
  method: CallbackMethod;
  purpose: RequestPurpose;
  extraParams: Params;
}

export interface VoiceAnswer {
  statusCode: number | undefined;
  error: string | undefined;
  body: string;
  truncated: boolean;
}

export interface VoiceFetcherOptions {
  transcripts: CallTranscripts;
  logger: SimulatorLogger;
  tls: CallbackTls;
  timeoutMs: number;
  publicUrl: () => string;
  signingToken: (accountSid: string) => string | undefined;
}

/** The most of an answer the simulator reads; TelAPI documents no limit, a document this long is a mistake. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** The most of an answer a transcript keeps. */
const TRANSCRIPT_ANSWER_CHARS = 16 * 1024;

/**
 * Voice requests as TelAPI makes them: the voice parameters (plus a verb's own) by GET in the
 * query or by POST as a form, signed like callbacks when the simulator signs, every one told in the
 * call's transcript with its answer and how long it took.
 */
export class VoiceFetcher {
  readonly #options: VoiceFetcherOptions;

  constructor(options: VoiceFetcherOptions) {
    this.#options = options;
  }

  async request(call: SimulatedCall, target: VoiceTarget, signal: AbortSignal): Promise<VoiceAnswer> {
    const { logger, transcripts } = this.#options;
    const params: Params = [...voiceParams(call, call.apiVersion, this.#options.publicUrl()), ...target.extraParams];
    const prepared = prepareRequest({ url: target.url, method: target.method, params, signingToken: this.#options.signingToken(call.accountSid) });
    const started = performance.now();
    const outcome = await sendOnce(prepared, { timeoutMs: this.#options.timeoutMs, tls: this.#options.tls, signal, keepBodyBytes: MAX_ANSWER_BYTES });
    const durationMs = Math.round(performance.now() - started);
    const answer: VoiceAnswer = { statusCode: outcome.statusCode, error: outcome.error, body: outcome.body, truncated: outcome.truncated };
    if (signal.aborted) return answer;
    logger.info(`${target.purpose} request for ${call.sid}: ${target.method} ${redactUrl(target.url)} -> ${outcome.statusCode ?? outcome.error ?? 'no answer'} (${durationMs} ms)`);
    transcripts.add(call.sid, {
      type: 'request',
      purpose: target.purpose,
      url: prepared.url,
      method: target.method,
      params: Object.fromEntries(params),
      statusCode: outcome.statusCode,
      error: outcome.error,
      answer: outcome.body.slice(0, TRANSCRIPT_ANSWER_CHARS),
      answerTruncated: outcome.truncated || outcome.body.length > TRANSCRIPT_ANSWER_CHARS,
      durationMs,
    });
    return answer;
  }
}

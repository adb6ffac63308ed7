import { CallSession } from './call-session';
import { VerbRunner, type VerbServices } from './engine-verbs';
import { readInboundXml, type Verb } from './inboundxml';
import { redactUrl, type SimulatorLogger } from './logger';
import type { SimulatedCall } from './model';
import type { VoiceTarget } from './voice-fetcher';

export interface CallEngineOptions extends VerbServices {
  logger: SimulatorLogger;
}

/** A voice URL that failed: unreachable, a non-2xx answer. */
class VoiceUrlError extends Error {}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs calls as TelAPI does (docs/telapi-api.md, "Answering calls: voice requests and
 * InboundXML"): asks the voice URL, runs the verbs of its answer in order, follows an action or a
 * `<Redirect>` to the next document, and hangs up when no verbs are left. Whatever goes wrong
 * (unreachable URL, non-2xx, not InboundXML) ends the call with an error in its transcript, where
 * TelAPI would play its error message and hang up.
 */
export class CallEngine {
  readonly #options: CallEngineOptions;
  readonly #verbs: VerbRunner;
  readonly #sessions = new Map<string, CallSession>();

  constructor(options: CallEngineOptions) {
    this.#options = options;
    this.#verbs = new VerbRunner(options);
  }

  session(callSid: string): CallSession | undefined {
    return this.#sessions.get(callSid);
  }

  /** Starts running the call at `first`; what happens is told in the call's transcript. */
  start(call: SimulatedCall, first: VoiceTarget): void {
    const session = new CallSession(call.sid, first.url, this.#options.transcripts);
    this.#sessions.set(call.sid, session);
    this.#run(session, first).catch((error: unknown) => {
      this.#options.logger.error(`call ${call.sid}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
  }

  /** The call has ended: whatever runs stops. */
  stop(callSid: string): void {
    this.#sessions.get(callSid)?.end();
    this.#sessions.delete(callSid);
  }

  stopAll(): void {
    for (const callSid of [...this.#sessions.keys()]) this.stop(callSid);
  }

  async #run(session: CallSession, first: VoiceTarget): Promise<void> {
    let target: VoiceTarget | undefined = first;
    while (target && !session.ended) {
      try {
        target = await this.#runDocument(session, target);
      } catch (error) {
        if (session.ended) return;
        const redirected = isAbort(error) ? session.takeRedirect() : undefined;
        if (redirected) {
          target = redirected;
          continue;
        }
        this.#fail(session, error instanceof Error ? error.message : String(error));
        return;
      }
    }
    if (!session.ended) this.#options.end(session.callSid, 'completed', 'document-ended');
  }

  /** Asks for a document and runs it; answers where to go next, or undefined when the document is done. */
  async #runDocument(session: CallSession, target: VoiceTarget): Promise<VoiceTarget | undefined> {
    const { telephony, fetcher } = this.#options;
    const signal = session.signal;
    const call = telephony.call(session.callSid);
    if (!call) return undefined;
    const answer = await fetcher.request(call, target, signal);
    signal.throwIfAborted();
    const what = `The ${target.purpose} URL ${redactUrl(target.url)}`;
    if (answer.statusCode === undefined) throw new VoiceUrlError(`${what} could not be reached (${answer.error ?? 'no answer'})`);
    if (answer.statusCode < 200 || answer.statusCode > 299) throw new VoiceUrlError(`${what} answered HTTP ${answer.statusCode}`);
    if (answer.truncated) throw new VoiceUrlError(`${what} answered more than the simulator reads`);
    const verbs = readInboundXml(answer.body);
    session.documentUrl = target.url;
    this.#answerUnlessRejected(call, verbs);
    for (const verb of verbs) {
      if (session.ended) return undefined;
      const next = await this.#verbs.run(session, verb, signal);
      if (next === 'stop') return undefined;
      if (next !== 'continue') return next;
    }
    return undefined;
  }

  /** TelAPI answers a ringing call once it has InboundXML for it, unless the first verb rejects the call. */
  #answerUnlessRejected(call: SimulatedCall, verbs: Verb[]): void {
    if (call.status !== 'in-progress' && verbs[0]?.verb !== 'Reject') this.#options.answer(call.sid);
  }

  #fail(session: CallSession, message: string): void {
    const { telephony, transcripts, logger, end } = this.#options;
    logger.warn(`call ${session.callSid} ends with an error: ${message}`);
    transcripts.add(session.callSid, { type: 'error', message });
    const answered = telephony.call(session.callSid)?.status === 'in-progress';
    end(session.callSid, answered ? 'completed' : 'failed', 'error');
  }
}

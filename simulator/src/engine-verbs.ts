import { setTimeout as sleep } from 'node:timers/promises';
import type { CallTranscripts } from './call-events';
import type { CallSession } from './call-session';
import type { DialVerb, GatherVerb, PromptVerb, RecordVerb, Verb } from './inboundxml';
import { InboundXmlError } from './xml-reader';
import type { FinalCallStatus, HangupCause, SimulatedCall, SimulatedRecording } from './model';
import { newSid } from './random';
import type { StartRecordingParams } from './recording-params';
import type { Telephony } from './telephony';
import type { TimerSet } from './timers';
import type { Params } from './voice-params';
import type { VoiceFetcher, VoiceTarget } from './voice-fetcher';

/** How a number the simulator calls behaves: answers, is busy, does not answer, fails, or waits for the control API. */
export const CALLEE_BEHAVIORS = ['answer', 'busy', 'no-answer', 'failed', 'manual'] as const;
export type CalleeBehavior = (typeof CALLEE_BEHAVIORS)[number];

export interface VerbServices {
  telephony: Telephony;
  transcripts: CallTranscripts;
  fetcher: VoiceFetcher;
  timers: TimerSet;
  /** Real milliseconds for simulated seconds (the simulator's timeScale). */
  scaled: (seconds: number) => number;
  answer: (callSid: string) => void;
  end: (callSid: string, status: FinalCallStatus, cause: HangupCause) => void;
  /** The length of audio the simulator knows (one of its own recordings), in seconds. */
  mediaSeconds: (url: string) => number | undefined;
  calleeBehavior: (number: string) => CalleeBehavior;
}

/** After a verb: the next verb, another document, or nothing more (the call has ended). */
export type VerbOutcome = 'continue' | 'stop' | VoiceTarget;

/** A speech engine reads about 150 words a minute. */
const WORDS_PER_SECOND = 2.5;
/** How long audio the simulator cannot measure plays. */
const UNKNOWN_AUDIO_SECONDS = 3;
/** `loop="0"` repeats until the call ends; the simulator stops after this many rounds. */
const ENDLESS_LOOP_ROUNDS = 100;
/** How long a dialed party rings before answering, stays on the line, or rings before it is busy. */
const DIAL_RING_SECONDS = 2;
const DIAL_LEG_SECONDS = 5;

function rounds(loop: number): number {
  return loop === 0 ? ENDLESS_LOOP_ROUNDS : loop;
}

function resolveUrl(url: string, base: string): string {
  let resolved: URL;
  try {
    resolved = new URL(url, base);
  } catch {
    throw new InboundXmlError(`"${url}" is not a URL`);
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw new InboundXmlError(`"${url}" is not an http or https URL`);
  return resolved.href;
}

/** What each InboundXML verb does to a call, in simulated time. */
export class VerbRunner {
  readonly #services: VerbServices;

  constructor(services: VerbServices) {
    this.#services = services;
  }

  async run(session: CallSession, verb: Verb, signal: AbortSignal): Promise<VerbOutcome> {
    const { telephony, transcripts, answer, end } = this.#services;
    const call = telephony.call(session.callSid);
    if (!call) return 'stop';
    switch (verb.verb) {
      case 'Say':
      case 'Play':
      case 'Pause':
      case 'PlayLastRecording':
        await this.#prompt(call, verb, signal);
        return 'continue';
      case 'Gather':
      case 'GetSpeech':
        return this.#gather(session, verb, signal);
      case 'Record':
        return this.#record(session, call, verb, signal);
      case 'Dial':
        return this.#dial(session, verb, signal);
      case 'Redirect':
        return { url: resolveUrl(verb.url, session.documentUrl), method: verb.method, purpose: 'redirect', extraParams: [] };
      case 'Ping':
        await this.#ping(session, verb.url, verb.method, signal);
        return 'continue';
      case 'Hangup':
        if (verb.schedule === 0) {
          end(call.sid, 'completed', 'hangup-verb');
          return 'stop';
        }
        this.#services.timers.after(this.#services.scaled(verb.schedule), () => end(call.sid, 'completed', 'hangup-verb'));
        return 'continue';
      case 'Reject':
        end(call.sid, call.status === 'in-progress' ? 'completed' : verb.reason === 'busy' ? 'busy' : 'failed', 'reject-verb');
        return 'stop';
      case 'Sms':
      case 'Mms':
        transcripts.add(call.sid, { type: 'message', verb: verb.verb, to: verb.to ?? call.from, from: verb.from ?? call.to, text: verb.text, mediaUrl: verb.mediaUrl });
        return 'continue';
      case 'Answer':
        answer(call.sid);
        return 'continue';
    }
  }

  /** What the caller hears, one transcript entry per round, taking its time. */
  async #prompt(call: SimulatedCall, verb: PromptVerb, signal: AbortSignal): Promise<void> {
    const { transcripts, scaled } = this.#services;
    if (verb.verb === 'Pause') {
      transcripts.add(call.sid, { type: 'pause', seconds: verb.seconds });
      await sleep(scaled(verb.seconds), undefined, { signal });
      return;
    }
    if (verb.verb === 'PlayLastRecording') {
      const last = this.#services.telephony.recordings(call.accountSid).find((recording) => recording.callSid === call.sid && recording.status === 'completed');
      if (last) await this.#play(call.sid, last.recordingUrl, 1, signal);
      return;
    }
    if (verb.verb === 'Play') {
      await this.#play(call.sid, verb.url, verb.loop, signal);
      return;
    }
    const words = verb.text.split(' ').filter(Boolean).length;
    const seconds = Math.max(0.5, words / WORDS_PER_SECOND);
    for (let round = 0; round < rounds(verb.loop); round++) {
      transcripts.add(call.sid, { type: 'say', text: verb.text, voice: verb.voice, language: verb.language, seconds });
      await sleep(scaled(seconds), undefined, { signal });
    }
  }

  async #play(callSid: string, url: string, loop: number, signal: AbortSignal): Promise<void> {
    const seconds = this.#services.mediaSeconds(url) ?? UNKNOWN_AUDIO_SECONDS;
    for (let round = 0; round < rounds(loop); round++) {
      this.#services.transcripts.add(callSid, { type: 'play', url, seconds });
      await sleep(this.#services.scaled(seconds), undefined, { signal });
    }
  }

  /**
   * Listens from its start: a key pressed during the prompts stops them (barge-in). Ends at
   * `numDigits`, at `finishOnKey` (not part of Digits), or `timeout` seconds after the last key (or
   * the prompts). With digits it requests `action` (default: the current document); without, the
   * next verb runs.
   */
  async #gather(session: CallSession, verb: GatherVerb, signal: AbortSignal): Promise<VerbOutcome> {
    const { transcripts, scaled } = this.#services;
    // Listening before telling it, so that a listener who presses keys on "gather-started" is heard.
    session.listen('gather');
    transcripts.add(session.callSid, { type: 'gather-started', verb: verb.verb, numDigits: verb.numDigits, finishOnKey: verb.finishOnKey, timeout: verb.timeout, action: verb.action });
    const bargeIn = new AbortController();
    const stopListening = session.onKey(() => bargeIn.abort());
    const call = this.#services.telephony.call(session.callSid);
    try {
      for (const prompt of verb.prompts) if (call && !bargeIn.signal.aborted) await this.#prompt(call, prompt, AbortSignal.any([signal, bargeIn.signal]));
    } catch (error) {
      if (signal.aborted || !bargeIn.signal.aborted) throw error;
    } finally {
      stopListening();
    }
    let digits = '';
    let reason: 'num-digits' | 'finish-key' | 'timeout' = 'timeout';
    for (;;) {
      const key = await session.nextKey(scaled(verb.timeout), signal);
      if (key === undefined) break;
      if (verb.finishOnKey.includes(key)) {
        reason = 'finish-key';
        break;
      }
      digits += key;
      if (verb.numDigits > 0 && digits.length >= verb.numDigits) {
        reason = 'num-digits';
        break;
      }
    }
    session.listen(undefined);
    transcripts.add(session.callSid, { type: 'gather-ended', digits, reason });
    if (digits === '') return 'continue';
    return { url: resolveUrl(verb.action ?? session.documentUrl, session.documentUrl), method: verb.method, purpose: 'action', extraParams: [['Digits', digits]] };
  }

  /**
   * In the background the recording runs on while the next verbs do, and its `action` is called
   * back like a recording callback when it ends. Otherwise the call waits for it: `finishOnKey`,
   * `timeout` seconds of silence (the simulated caller says nothing the simulator hears), `maxLength`
   * or the hang-up end it, then `action` is requested for the next document.
   */
  async #record(session: CallSession, call: SimulatedCall, verb: RecordVerb, signal: AbortSignal): Promise<VerbOutcome> {
    const { telephony, scaled } = this.#services;
    const action = verb.action === undefined ? undefined : resolveUrl(verb.action, session.documentUrl);
    const params: StartRecordingParams = {
      direction: verb.direction,
      timeLimit: verb.maxLength,
      callbackUrl: verb.background ? action : undefined,
      fileFormat: verb.fileFormat,
      trimSilence: verb.trimSilence,
      transcribe: verb.transcribe,
      transcribeQuality: verb.transcribeQuality,
      transcribeCallback: verb.transcribeCallback === undefined ? undefined : resolveUrl(verb.transcribeCallback, session.documentUrl),
      callbackMethod: verb.method,
    };
    const origin = { source: 'verb', background: verb.background, playBeep: verb.playBeep && !verb.background } as const;
    if (verb.background) {
      telephony.startRecording(call.sid, call.accountSid, params, call.apiVersion, origin);
      return 'continue';
    }
    session.listen('record');
    let started: SimulatedRecording;
    try {
      started = telephony.startRecording(call.sid, call.accountSid, params, call.apiVersion, origin);
    } catch (error) {
      session.listen(undefined);
      throw error;
    }
    const ended = session.whenRecordingEnds(started.sid);
    const stop = new AbortController();
    const waiting = AbortSignal.any([signal, stop.signal]);
    let digits = '';
    const keys = (async (): Promise<'finish-key' | 'silence'> => {
      for (;;) {
        const key = await session.nextKey(scaled(verb.timeout), waiting);
        if (key === undefined) return 'silence';
        digits += key;
        if (verb.finishOnKey.includes(key)) return 'finish-key';
      }
    })();
    let finished: SimulatedRecording;
    try {
      const first = await Promise.race([keys, ended]);
      finished = typeof first === 'string' ? (telephony.endRecording(started.sid, first, digits) ?? (await ended)) : first;
    } catch (error) {
      telephony.endRecording(started.sid, 'stopped', digits);
      throw error;
    } finally {
      stop.abort();
      keys.catch(() => undefined);
      session.listen(undefined);
    }
    signal.throwIfAborted();
    if (action === undefined) return 'continue';
    const extraParams: Params = [
      ['RecordingUrl', finished.recordingUrl],
      ['RecordingDuration', String(finished.duration)],
      ['Digits', finished.digits],
      ['RecordingSid', finished.sid],
    ];
    return { url: action, method: verb.method, purpose: 'action', extraParams };
  }

  /**
   * A bridged leg to the first target: it follows the behaviour set for that number (answer,
   * busy, no-answer after the Dial's timeout, failed), lasts a short while, and then the Dial's
   * `action` gets DialCallStatus, DialCallSid and DialCallDuration.
   */
  async #dial(session: CallSession, verb: DialVerb, signal: AbortSignal): Promise<VerbOutcome> {
    const { transcripts, scaled } = this.#services;
    const dialCallSid = newSid('CA');
    transcripts.add(session.callSid, { type: 'dial-started', dialCallSid, targets: verb.targets });
    const [first] = verb.targets;
    const behavior = first?.kind === 'Number' ? this.#services.calleeBehavior(first.value) : 'answer';
    let status: string;
    let duration = 0;
    if (behavior === 'busy' || behavior === 'failed') {
      await sleep(scaled(DIAL_RING_SECONDS), undefined, { signal });
      status = behavior;
    } else if (behavior === 'no-answer') {
      await sleep(scaled(verb.timeout), undefined, { signal });
      status = 'no-answer';
    } else {
      duration = Math.min(DIAL_LEG_SECONDS, verb.timeLimit);
      await sleep(scaled(DIAL_RING_SECONDS + duration), undefined, { signal });
      status = 'completed';
    }
    transcripts.add(session.callSid, { type: 'dial-ended', dialCallSid, dialCallStatus: status, dialCallDuration: duration });
    if (verb.action === undefined) return 'continue';
    const extraParams: Params = [
      ['DialCallStatus', status],
      ['DialCallSid', dialCallSid],
      ['DialCallDuration', String(duration)],
    ];
    return { url: resolveUrl(verb.action, session.documentUrl), method: verb.method, purpose: 'action', extraParams };
  }

  /** A `<Ping>` is told the call's state; its answer changes nothing, and neither does its failure. */
  async #ping(session: CallSession, url: string, method: 'GET' | 'POST', signal: AbortSignal): Promise<void> {
    const call = this.#services.telephony.call(session.callSid);
    if (call) await this.#services.fetcher.request(call, { url: resolveUrl(url, session.documentUrl), method, purpose: 'ping', extraParams: [] }, signal);
  }
}
